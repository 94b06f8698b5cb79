package lxmert.tasks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.config.LxmertConfig;
import lxmert.data.AnswerHeadSurgery;
import lxmert.data.AnswerTable;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.QaDataset;
import lxmert.data.QaTask;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.BertAdam;
import lxmert.train.Grad;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;

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
import java.util.Random;

/**
 * Fine-tunes LXMERT on VQA, GQA or NLVR2 as the original's {@code vqa.py}/{@code gqa.py}/{@code nlvr2.py} do:
 * BertAdam with warm-up 0.1 over batches_per_epoch x epochs, clip 5.0, dropout in training, a seeded shuffle per
 * epoch and drop_last; after each epoch the train accuracy (of the epoch's own predictions), the valid accuracy,
 * BEST when it improves, {@code log.log} lines as the original, and LAST (plus a resume snapshot).
 *
 * <p>Runs are deterministic per seed and resumable: the epoch order comes from (seed, epoch), dropout from
 * (seed, step), and the resume snapshot holds weights, optimiser moments and the trainer state, so an
 * interrupted and resumed run ends with the same weights as an uninterrupted one.
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
            train = new Nlvr2Data(tr, enc, FinetuneOptions.SEQ_LEN);
            label2ans = List.of("False", "True");
            valid = opt.validSplit() != null && !opt.validSplit().isEmpty()
                    ? new Nlvr2Data(Nlvr2Dataset.load(opt.data(), opt.validSplit()), enc, FinetuneOptions.SEQ_LEN) : null;
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
        this.root = NDManager.newBaseManager(Device.fromName(opt.device()));
        this.net = new TaskNet(opt.task(), root, config, train.numAnswers(), opt.seed(), opt.mceLoss());
        reportData();
        loadInitialWeights();
    }

    /** One line per split of what loading kept and dropped (questions without features, answers not in the table, labels). */
    private void reportData() {
        for (String line : train.loadSummary()) message(line);
        if (valid != null) for (String line : valid.loadSummary()) message(line);
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

    private void loadInitialWeights() throws IOException {
        Map<String, NDArray> params = net.module().namedParameters();
        switch (opt.weights()) {
            case FROM_SCRATCH:
                message("weights: from scratch (seed " + opt.seed() + ")");
                break;
            case LXMERT: {
                Map<String, Tensor> ck = ModelWeights.readCanonical(opt.weightsPath());
                Map<String, NDArray> enc = encoderParams(params);
                LoadReport r = ModelWeights.load(enc, ck, k -> !k.startsWith("bert."));
                message("Load LXMERT pre-trained model from " + opt.weightsPath() + "\n" + r);
                if (r.missing().size() == enc.size()) {
                    throw new IllegalArgumentException(opt.weightsPath() + ": holds no LXRT encoder weights (bert.*)");
                }
                if (!r.mismatched().isEmpty()) {
                    throw new IllegalArgumentException(opt.weightsPath() + ": shapes do not match the config: " + r.mismatched());
                }
                break;
            }
            case LXMERT_QA: {
                if (!opt.task().isQa()) throw new IllegalArgumentException("--load-lxmert-qa applies to vqa and gqa only");
                Map<String, Tensor> ck = ModelWeights.readCanonical(opt.weightsPath());
                Map<String, NDArray> enc = encoderParams(params);
                LoadReport r = ModelWeights.load(enc, ck, k -> !k.startsWith("bert."));
                if (!r.missing().isEmpty() || !r.mismatched().isEmpty()) {
                    throw new IllegalArgumentException(opt.weightsPath() + ": encoder weights incomplete (the original asserts all are present)\n" + r);
                }
                Path allAns = opt.data().root().resolve("lxmert").resolve("all_ans.json");
                if (!Files.isRegularFile(allAns)) throw new IllegalArgumentException("answer table not found: " + allAns);
                AnswerTable table = AnswerTable.load(allAns, null);
                for (String k : new String[] {"0.weight", "0.bias", "2.weight", "2.bias"}) {
                    Tensor t = ck.get("answer_head.logit_fc." + k);
                    if (t == null) throw new IllegalArgumentException(opt.weightsPath() + ": missing key answer_head.logit_fc." + k);
                    ModelWeights.copyInto(params.get("logit_fc." + k), t);
                }
                Tensor w = ck.get("answer_head.logit_fc.3.weight");
                Tensor b = ck.get("answer_head.logit_fc.3.bias");
                if (w == null || b == null) throw new IllegalArgumentException(opt.weightsPath() + ": missing key answer_head.logit_fc.3.*");
                AnswerHeadSurgery.Result s = AnswerHeadSurgery.apply(w.toFloatArray(), b.toFloatArray(), (int) w.shape()[1], table, label2ans);
                ModelWeights.copyInto(params.get("logit_fc.3.weight"),
                        Tensor.ofFloats("w", new long[] {label2ans.size(), w.shape()[1]}, s.weight()));
                ModelWeights.copyInto(params.get("logit_fc.3.bias"), Tensor.ofFloats("b", new long[] {label2ans.size()}, s.bias()));
                message("Load QA pre-trained LXMERT from " + opt.weightsPath() + "\nLoaded " + s.mapped()
                        + " answers from LXRTQA pre-training and " + s.zeroed() + " not");
                break;
            }
            case SNAPSHOT: {
                Path p = Snapshots.resolveLoad(opt.weightsPath());
                Map<String, Tensor> ck = ModelWeights.readCanonical(p);
                LoadReport r = ModelWeights.load(params, ck, k -> false);
                if (!r.isClean()) throw new IllegalArgumentException(p + ": does not fit the " + opt.task().id + " model\n" + r);
                message("Load model from " + p);
                break;
            }
            default:
                throw new IllegalStateException();
        }
    }

    private static Map<String, NDArray> encoderParams(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> { if (k.startsWith("bert.")) out.put(k, v); });
        return out;
    }

    /** Batches of one epoch: the seeded permutation (drop_last) or the data in order (evaluation). */
    static int[][] batches(int n, int batch, boolean shuffle, boolean dropLast, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            Random r = new Random(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        int count = dropLast ? n / batch : (n + batch - 1) / batch;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) {
            out[b] = java.util.Arrays.copyOfRange(order, b * batch, Math.min(n, (b + 1) * batch));
        }
        return out;
    }

    static long epochSeed(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    /** Trains; returns when done, interrupted (LAST saved) or on a non-finite loss (exception). */
    public Result train() throws IOException {
        Path out = opt.output();
        Files.createDirectories(out);
        removeStaleTemporaries(out);
        config.save(out.resolve("config.json"));
        RunFolder.write(opt, label2ans); // vocab copy, answer table and run.json: the folder describes itself
        Map<String, NDArray> params = net.module().namedParameters();
        int bpe = train.size() / opt.batchSize();
        long tTotal = (long) bpe * opt.epochs();
        net.module().setRequiresGradient(true);
        BertAdam optim = new BertAdam(params, opt.lr(), 0.1, tTotal);
        int startEpoch = 0;
        int startBatch = 0;
        double best = Double.NaN;
        List<EpochRecord> history = new ArrayList<>();
        Map<Integer, Integer> trainPred = new LinkedHashMap<>();
        double lossSum = 0;
        double trainSeconds = 0;
        long examples = 0;
        if (opt.resume()) {
            Path rf = Snapshots.resumeFile(out, "LAST");
            if (!Files.isRegularFile(rf)) throw new IllegalArgumentException("--resume: no snapshot to resume from: " + rf);
            Snapshots.Resume r = Snapshots.loadResume(rf);
            JsonNode st = r.state();
            checkCompatible(st, rf);
            LoadReport rep = ModelWeights.load(params, r.model(), k -> false);
            if (!rep.isClean()) throw new IllegalArgumentException(rf + ": model does not fit\n" + rep);
            optim.loadState(r.optimizer(), st.get("step").asLong());
            startEpoch = st.get("epoch").asInt();
            startBatch = st.get("batch").asInt();
            best = st.get("best_valid").isNull() ? Double.NaN : st.get("best_valid").asDouble();
            for (JsonNode h : st.get("history")) {
                history.add(new EpochRecord(h.get("epoch").asInt(), h.get("train").asDouble(), h.get("valid").asDouble(Double.NaN),
                        h.get("best").asDouble(Double.NaN), h.get("loss").asDouble(), h.get("seconds").asDouble()));
            }
            st.get("train_predictions").fields().forEachRemaining(e -> trainPred.put(Integer.parseInt(e.getKey()), e.getValue().asInt()));
            lossSum = st.get("loss_sum").asDouble();
            trainSeconds = st.get("train_seconds").asDouble();
            examples = st.get("examples").asLong();
            message("resumed from " + rf + " at epoch " + (startEpoch + 1) + ", batch " + startBatch + " (step " + optim.stepCount() + ")");
        }
        for (TrainingListener l : listeners) {
            l.onStart(new TrainingListener.RunInfo(opt.task().id, opt.epochs(), bpe, opt.batchSize(), train.size(),
                    valid == null ? 0 : valid.size(), net.module().parameterCount(), startEpoch, optim.stepCount()));
        }
        boolean interrupted = false;
        double waitTotal = 0;
        double stepTotal = 0;
        try (Prefetcher pre = new Prefetcher(train)) {
            for (int epoch = startEpoch; epoch < opt.epochs() && !interrupted; epoch++) {
                int[][] order = batches(train.size(), opt.batchSize(), true, true, epochSeed(opt.seed(), epoch));
                net.module().setTraining(true);
                long epochStart = System.nanoTime();
                long epochExamples = 0;
                int first = epoch == startEpoch ? startBatch : 0;
                if (epoch != startEpoch) {
                    trainPred.clear();
                    lossSum = 0;
                }
                pre.start(order, first);
                for (int bi = first; bi < bpe; bi++) {
                    long t0 = System.nanoTime();
                    HostBatch hb = pre.next();
                    long t1 = System.nanoTime();
                    long step = optim.stepCount();
                    Engine.getEngine("PyTorch").setRandomSeed((int) (opt.seed() * 7919 + step));
                    double loss;
                    double norm;
                    try (NDManager m = root.newSubManager()) {
                        TaskNet.Inputs in = TaskNet.inputs(m, hb);
                        NDArray logits;
                        NDArray lossA;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            logits = net.forward(in, null);
                            lossA = net.loss(m, logits, hb);
                            gc.backward(lossA);
                        }
                        loss = lossA.getFloat();
                        if (!Double.isFinite(loss)) {
                            optim.zeroGrad();
                            Path last = Snapshots.modelFile(out, "LAST");
                            throw new NonFiniteLossException("loss is " + loss + " at step " + step + " (epoch " + (epoch + 1)
                                    + ", batch " + (bi + 1) + "); the last good snapshot is "
                                    + (Files.isRegularFile(last) ? last : "none (no epoch finished yet)"));
                        }
                        BertAdam.zeroPaddingRows(net.bert().paddingRowParameters());
                        norm = BertAdam.clipGradNorm(params.values(), 5.0);
                        optim.step();
                        optim.zeroGrad();
                        long[] am = argmax(logits);
                        for (int r = 0; r < hb.examples; r++) trainPred.put(hb.indices[r], (int) am[r]);
                    }
                    lossSum += loss;
                    long t2 = System.nanoTime();
                    waitTotal += (t1 - t0) / 1e9;
                    stepTotal += (t2 - t0) / 1e9;
                    epochExamples += hb.examples;
                    examples += hb.examples;
                    double secs = (System.nanoTime() - epochStart) / 1e9;
                    double eps = epochExamples / Math.max(secs, 1e-9);
                    double accSoFar = score(train, trainPred);
                    for (TrainingListener l : listeners) {
                        l.onBatch(new TrainingListener.BatchEvent(epoch, bi, bpe, step, loss, optim.lastLr(), norm, eps,
                                waitTotal / Math.max(stepTotal, 1e-9), accSoFar));
                    }
                    if (stop.isRequested() && bi + 1 < bpe) {
                        trainSeconds += secs;
                        saveLast(out, params, optim, epoch, bi + 1, best, history, trainPred, lossSum, trainSeconds, examples);
                        message("interrupted: stopped after step " + step + "; saved " + Snapshots.modelFile(out, "LAST"));
                        interrupted = true;
                        break;
                    }
                }
                if (interrupted) break;
                double epochSecs = (System.nanoTime() - epochStart) / 1e9;
                trainSeconds += epochSecs;
                double trainAcc = score(train, trainPred);
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
                EpochRecord rec = new EpochRecord(epoch, trainAcc, validAcc, best, lossSum / Math.max(1, bpe - first), epochSecs);
                history.add(rec);
                for (TrainingListener l : listeners) {
                    l.onEpoch(new TrainingListener.EpochEvent(epoch, trainAcc, validAcc, best, rec.meanLoss(), epochSecs,
                            epochExamples / epochSecs));
                }
                if (opt.saveSnapshots()) {
                    saveLast(out, params, optim, epoch + 1, 0, best, history, new LinkedHashMap<>(), 0, trainSeconds, examples);
                }
                if (stop.isRequested() && epoch + 1 < opt.epochs()) {
                    message("interrupted after epoch " + (epoch + 1) + "; saved " + Snapshots.modelFile(out, "LAST"));
                    interrupted = true;
                }
            }
        } finally {
            optim.close();
            net.module().setRequiresGradient(false);
            for (TrainingListener l : listeners) l.onFinish(interrupted);
        }
        return new Result(best, history.size(), trainSeconds, examples / Math.max(trainSeconds, 1e-9), history,
                interrupted, out, waitTotal / Math.max(stepTotal, 1e-9));
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
    public static final class NonFiniteLossException extends IllegalStateException {
        public NonFiniteLossException(String m) {
            super(m);
        }
    }

    private void checkCompatible(JsonNode st, Path rf) {
        String[][] checks = {
                {"task", opt.task().id}, {"train_splits", opt.trainSplits()},
                {"batch_size", Integer.toString(opt.batchSize())}, {"epochs", Integer.toString(opt.epochs())},
                {"seed", Long.toString(opt.seed())}};
        for (String[] c : checks) {
            if (!st.path(c[0]).asText().equals(c[1])) {
                throw new IllegalArgumentException("--resume: " + rf + " was written with " + c[0] + "=" + st.path(c[0]).asText()
                        + " but this run has " + c[0] + "=" + c[1]);
            }
        }
        if (Math.abs(st.path("lr").asDouble() - opt.lr()) > 1e-12) {
            throw new IllegalArgumentException("--resume: " + rf + " was written with lr=" + st.path("lr").asDouble() + " but this run has lr=" + opt.lr());
        }
    }

    private void saveLast(Path out, Map<String, NDArray> params, BertAdam optim, int nextEpoch, int nextBatch, double best,
                          List<EpochRecord> history, Map<Integer, Integer> trainPred, double lossSum, double trainSeconds,
                          long examples) throws IOException {
        ObjectNode st = JSON.createObjectNode();
        st.put("format", 1);
        st.put("task", opt.task().id);
        st.put("train_splits", opt.trainSplits());
        st.put("valid", opt.validSplit());
        st.put("batch_size", opt.batchSize());
        st.put("epochs", opt.epochs());
        st.put("lr", opt.lr());
        st.put("seed", opt.seed());
        st.put("epoch", nextEpoch);
        st.put("batch", nextBatch);
        st.put("step", optim.stepCount());
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
        ObjectNode tp = st.putObject("train_predictions");
        trainPred.forEach((k, v) -> tp.put(Integer.toString(k), v));
        st.put("loss_sum", lossSum);
        st.put("train_seconds", trainSeconds);
        st.put("examples", examples);
        st.set("config", JSON.readTree(config.toJson()));
        ArrayNode l2a = st.putArray("label2ans");
        label2ans.forEach(l2a::add);
        // model-only LAST first (the original's file), then the self-contained resume snapshot
        Snapshots.saveModel(Snapshots.modelFile(out, "LAST"), params);
        Snapshots.saveResume(Snapshots.resumeFile(out, "LAST"), params, optim.stateArrays(), st);
    }

    private static double score(TaskData d, Map<Integer, Integer> pred) {
        if (pred.isEmpty()) return 0;
        double s = 0;
        for (Map.Entry<Integer, Integer> e : pred.entrySet()) s += d.score(e.getKey(), e.getValue());
        return s / pred.size();
    }

    private static long[] argmax(NDArray logits) {
        return logits.argMax(1).toLongArray();
    }

    /** Predictions of one split: per example index the predicted class, and the accuracy if labelled. */
    public record Predictions(TaskData data, int[] labels, double accuracy) {}

    /** Evaluates in eval mode without gradients, batch size {@code evalBatchSize}. */
    public Predictions evaluate(TaskData data) {
        return predict(net, data, opt.evalBatchSize(), root);
    }

    /** Predicts every example of {@code data} with {@code net}. */
    public static Predictions predict(TaskNet net, TaskData data, int batchSize, NDManager root) {
        boolean wasTraining = net.module().isTraining();
        net.module().setTraining(false);
        int[] labels = new int[data.size()];
        double s = 0;
        try (AutoCloseable ng = Grad.noGrad(); Prefetcher pre = new Prefetcher(data)) {
            int[][] order = batches(data.size(), batchSize, false, false, 0);
            pre.start(order, 0);
            for (int b = 0; b < order.length; b++) {
                HostBatch hb = pre.next();
                try (NDManager m = root.newSubManager()) {
                    long[] am = argmax(net.forward(TaskNet.inputs(m, hb), null));
                    for (int r = 0; r < hb.examples; r++) {
                        labels[hb.indices[r]] = (int) am[r];
                        s += data.score(hb.indices[r], (int) am[r]);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            net.module().setTraining(wasTraining);
        }
        return new Predictions(data, labels, TaskData.accuracy(data, labels)); // over the labelled examples only
    }

    public List<String> label2ans() {
        return label2ans;
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        root.close();
    }
}
