package lxmert.tasks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.config.LxmertConfig;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.QaDataset;
import lxmert.data.QaTask;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.RunningSums;
import lxmert.train.StopSignal;
import lxmert.train.Trainer;
import lxmert.train.TrainingListener;
import lxmert.train.TrainingLoop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tunes LXMERT on VQA, GQA or NLVR2 as the original's {@code vqa.py}/{@code gqa.py}/{@code nlvr2.py} do:
 * BertAdam with warm-up 0.1 over batches_per_epoch x epochs, clip 5.0, dropout in training, a seeded shuffle per
 * epoch and drop_last; after each epoch the train accuracy (of the epoch's own predictions), the valid accuracy,
 * BEST when it improves, {@code log.log} lines as the original, and LAST (plus a resume snapshot).
 *
 * <p>The step and the loop are {@link Trainer} and {@link TrainingLoop} (the ones every training run uses);
 * this class contributes the data, the head model with its loss ({@link FinetuneTask}), the initial weights
 * and the original's epoch end (accuracies, BEST, log.log). Runs are deterministic per seed and resumable:
 * the epoch order comes from (seed, epoch), dropout from (seed, step), and the resume snapshot holds weights,
 * optimiser moments and the loop state, so an interrupted and resumed run ends with the same weights as an
 * uninterrupted one.
 */
public final class Finetuner implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FinetuneOptions opt;
    private final List<TrainingListener> listeners;
    private final StopSignal stop;
    private final NDManager root;
    private final TaskNet net;
    private final TaskData train;
    private final TaskData valid;
    private final List<String> label2ans;
    private final LxmertConfig config;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** The training devices: one, or several for data parallel (the first holds the model that is evaluated and saved). */
    private final List<Device> devices;

    /** The outcome of a run; accuracies in [0, 1]. */
    public record Result(double bestValid, int epochs, double trainSeconds, double examplesPerSec,
                         List<EpochRecord> history, boolean interrupted, Path output, double dataWaitFraction) {
        /** The one-line JSON summary the CLI prints last. */
        public String summaryJson() {
            return String.format(Locale.ROOT, "{\"best_valid\": %s, \"epochs\": %d, \"train_seconds\": %.3f, \"examples_per_sec\": %.3f}",
                    Double.isNaN(bestValid) ? "null" : Double.toString(bestValid * 100), epochs, trainSeconds, examplesPerSec);
        }
    }

    public record EpochRecord(int epoch, double trainAccuracy, double validAccuracy, double bestValid, double meanLoss,
                              double seconds) {}

    public Finetuner(FinetuneOptions opt, List<TrainingListener> listeners, StopSignal stop) throws IOException {
        this.opt = opt;
        this.listeners = listeners;
        this.stop = stop == null ? new StopSignal() : stop;
        if (opt.epochs() < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + opt.epochs());
        if (opt.batchSize() < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + opt.batchSize());
        if (!(opt.lr() > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + opt.lr());
        if (!Files.isRegularFile(opt.vocab())) {
            throw new IllegalArgumentException("vocabulary file not found: " + opt.vocab()
                    + " (pass --vocab FILE; the synthetic world writes DATA/synth-vocab.txt)");
        }
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(opt.vocab()), FinetuneOptions.SEQ_LEN);
        int vocabSize = lxmert.text.Vocab.load(opt.vocab()).size();
        NDManager newRoot = null;
        try { // on any failure, close what was opened (datasets, the device manager)
            if (opt.task().isQa()) {
                QaTask qt = opt.task() == Task.VQA ? QaTask.VQA : QaTask.GQA;
                QaDataset tr = QaDataset.load(qt, opt.data(), opt.trainSplits());
                closeables.add(tr);
                train = new QaData(tr, enc, FinetuneOptions.SEQ_LEN);
                label2ans = tr.answers().label2ans();
                if (opt.validSplit() != null && !opt.validSplit().isEmpty()) {
                    QaDataset va = QaDataset.load(qt, opt.data(), opt.validSplit());
                    closeables.add(va);
                    valid = new QaData(va, enc, FinetuneOptions.SEQ_LEN);
                } else {
                    valid = null;
                }
            } else {
                Nlvr2Dataset tr = Nlvr2Dataset.load(opt.data(), opt.trainSplits());
                closeables.add(tr);
                train = new Nlvr2Data(tr, enc, FinetuneOptions.SEQ_LEN);
                label2ans = List.of("False", "True");
                if (opt.validSplit() != null && !opt.validSplit().isEmpty()) {
                    Nlvr2Dataset va = Nlvr2Dataset.load(opt.data(), opt.validSplit());
                    closeables.add(va);
                    valid = new Nlvr2Data(va, enc, FinetuneOptions.SEQ_LEN);
                } else {
                    valid = null;
                }
            }
            if (train.size() < opt.batchSize()) {
                throw new IllegalArgumentException("training split '" + opt.trainSplits() + "' has " + train.size()
                        + " examples with features, fewer than one batch of " + opt.batchSize());
            }
            if (train.featDim() != opt.config().visual_feat_dim()) {
                throw new IllegalArgumentException("features have dimension " + train.featDim() + " but the config's visual_feat_dim is "
                        + opt.config().visual_feat_dim());
            }
            if (vocabSize > opt.config().vocab_size()) {
                throw new IllegalArgumentException("vocabulary " + opt.vocab() + " has " + vocabSize
                        + " entries but the config's vocab_size is " + opt.config().vocab_size());
            }
            this.config = opt.config();
            this.devices = devices(opt.device());
            this.root = newRoot = NDManager.newBaseManager(devices.get(0));
            this.net = new TaskNet(opt.task(), root, config, train.numAnswers(), opt.seed(), opt.mceLoss());
            reportData();
            InitialWeights.load(opt, net, label2ans, this::message);
        } catch (IOException | RuntimeException e) {
            closeAll(closeables);
            if (newRoot != null) newRoot.close();
            throw e;
        }
    }

    /** One line per split of what loading kept and dropped (questions without features, answers not in the table, labels). */
    private void reportData() {
        for (String line : train.loadSummary()) message(line);
        if (valid != null) for (String line : valid.loadSummary()) message(line);
    }

    /** {@code cpu}, {@code gpu1} or a comma-separated list ({@code gpu0,gpu1}, {@code cpu,cpu}); null: cpu. */
    public static List<Device> devices(String spec) {
        if (spec == null || spec.isBlank()) return List.of(Device.cpu());
        List<Device> out = new ArrayList<>();
        for (String s : spec.split(",")) out.add(Device.fromName(s.strip()));
        return out;
    }

    public TaskNet net() {
        return net;
    }

    public TaskData trainData() {
        return train;
    }

    public TaskData validData() {
        return valid;
    }

    private void message(String s) {
        for (TrainingListener l : listeners) l.onMessage(s);
    }

    /** Trains; returns when done, interrupted (LAST saved) or on a non-finite loss (exception). */
    public Result train() throws IOException {
        Path out = opt.output();
        Files.createDirectories(out);
        removeStaleTemporaries(out);
        config.save(out.resolve("config.json"));
        RunFolder.write(opt, label2ans); // vocab copy, answer table and run.json: the folder describes itself
        Map<String, NDArray> params = net.module().namedParameters();
        Trainer.Options to = new Trainer.Options(opt.lr(), 0.1,
                TrainingLoop.totalSteps(train.size(), opt.batchSize(), opt.epochs()), 5.0, opt.seed());
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("task", opt.task().id);
        identity.put("train_splits", opt.trainSplits());
        identity.put("lr", Double.toString(opt.lr()));
        TrainingLoop.Options lo = new TrainingLoop.Options(opt.task().id, opt.epochs(), opt.batchSize(), opt.accumulate(), opt.seed(), 1, out,
                opt.saveSnapshots(), opt.resume(), identity, FinetuneTask.SCORE, valid == null ? 0 : valid.size());
        Epochs epochs = new Epochs(out, params);
        try (Trainer<HostBatch, FinetuneTask.Batch> trainer = new Trainer<>(root, net.module(),
                new FinetuneTask(net), to, devices)) {
            TrainingLoop.Result r = new TrainingLoop<>(trainer, train.size(), idx -> train.fill(train.allocate(idx.length), idx),
                    lo, epochs, listeners, stop).run();
            return new Result(epochs.best, epochs.history.size(), r.trainSeconds(), r.examplesPerSec(), epochs.history,
                    r.interrupted(), out, r.dataWaitFraction());
        } catch (lxmert.train.NonFiniteLossException e) {
            throw new NonFiniteLossException(e.getMessage());
        }
    }

    /** The fine-tuning epoch end as the original: train and valid accuracy, BEST, log.log; history for resuming. */
    private final class Epochs implements TrainingLoop.Hooks {
        private final Path out;
        private final Map<String, NDArray> params;
        private final List<EpochRecord> history = new ArrayList<>();
        private double best = Double.NaN;

        Epochs(Path out, Map<String, NDArray> params) {
            this.out = out;
            this.params = params;
        }

        @Override
        public void saveModel(Path dir, String name) {
            Snapshots.saveModel(Snapshots.modelFile(dir, name), params);
        }

        @Override
        public TrainingListener.EpochEvent onEpochEnd(TrainingLoop.EpochEnd e) throws IOException {
            int epoch = e.epoch();
            double trainAcc = e.train().mean(FinetuneTask.SCORE);
            double validAcc = Double.NaN;
            StringBuilder log = new StringBuilder();
            log.append(String.format(Locale.ROOT, "\nEpoch %d: Train %.2f\n", epoch, trainAcc * 100));
            if (valid != null) {
                validAcc = evaluate(valid).accuracy();
                if (Double.isNaN(best) || validAcc > best) {
                    best = validAcc;
                    if (opt.saveSnapshots()) Snapshots.saveModel(Snapshots.modelFile(out, "BEST"), params);
                }
                log.append(String.format(Locale.ROOT, "Epoch %d: Valid %.2f\n", epoch, validAcc * 100));
                log.append(String.format(Locale.ROOT, "Epoch %d: Best %.2f\n", epoch, best * 100));
            }
            Files.writeString(out.resolve("log.log"), log.toString(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            EpochRecord rec = new EpochRecord(epoch, trainAcc, validAcc, best, e.train().mean(RunningSums.LOSS), e.seconds());
            history.add(rec);
            return new TrainingListener.EpochEvent(epoch, trainAcc, validAcc, best, rec.meanLoss(), e.seconds(), e.examplesPerSec());
        }

        @Override
        public JsonNode state() {
            ObjectNode st = JSON.createObjectNode();
            if (Double.isNaN(best)) st.putNull("best_valid"); else st.put("best_valid", best);
            ArrayNode h = st.putArray("history");
            for (EpochRecord r : history) {
                ObjectNode o = h.addObject();
                o.put("epoch", r.epoch());
                o.put("train", r.trainAccuracy());
                o.put("valid", r.validAccuracy());
                o.put("best", r.bestValid());
                o.put("loss", r.meanLoss());
                o.put("seconds", r.seconds());
            }
            st.put("valid", opt.validSplit());
            try {
                st.set("config", JSON.readTree(config.toJson()));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            ArrayNode l2a = st.putArray("label2ans");
            label2ans.forEach(l2a::add);
            return st;
        }

        @Override
        public void restore(JsonNode st) {
            if (st == null) return;
            best = st.path("best_valid").isNumber() ? st.get("best_valid").asDouble() : Double.NaN;
            for (JsonNode h : st.path("history")) {
                history.add(new EpochRecord(h.get("epoch").asInt(), h.get("train").asDouble(), h.get("valid").asDouble(Double.NaN),
                        h.get("best").asDouble(Double.NaN), h.get("loss").asDouble(), h.get("seconds").asDouble()));
            }
        }
    }

    /** Temporary snapshot files left by a killed run (never a complete snapshot: those are renamed into place). */
    private static void removeStaleTemporaries(Path out) throws IOException {
        try (var s = Files.list(out)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp") && (n.startsWith(".BEST.") || n.startsWith(".LAST."))) Files.deleteIfExists(p);
            }
        }
    }

    /** Thrown when the loss becomes NaN or infinite; the message names the step and the last good snapshot. */
    public static final class NonFiniteLossException extends lxmert.train.NonFiniteLossException {
        public NonFiniteLossException(String m) {
            super(m);
        }
    }

    /** Evaluates in eval mode without gradients, batch size {@code evalBatchSize}. */
    public Predictor.Predictions evaluate(TaskData data) {
        return Predictor.predict(net, data, opt.evalBatchSize(), root);
    }

    public List<String> label2ans() {
        return label2ans;
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Override
    public void close() {
        closeAll(closeables);
        root.close();
    }
}
