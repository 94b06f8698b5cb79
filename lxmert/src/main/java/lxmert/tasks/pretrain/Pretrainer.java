package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.text.BertTokenizer;
import lxmert.text.Vocab;
import lxmert.train.Grad;
import lxmert.train.Recipe;
import lxmert.train.Run;
import lxmert.train.RunningSums;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;
import lxmert.train.TrainingLoop;
import lxmert.util.Devices;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Pretrains LXMERT as the original's {@code lxmert_pretrain.py}: the four tasks on the packed corpus
 * ({@link PretrainCorpus}, {@link PretrainBatcher}), the six losses ({@link PretrainTask}), BertAdam with warm-up 0.05
 * over batches_per_epoch x epochs, clip 1.0: the pretraining {@link Recipe}, trained by the one {@link Run}
 * ({@link #run}: checks, devices, the run folder with {@code run.json}, trainer and loop with seeded order,
 * {@code --accumulate}, stop signal, resume; {@code log.log}). After every epoch, as the original prints them (and appended to
 * {@code OUTPUT/log.log}): the training loss and the six per-task losses (means over the epoch's batches), the
 * train QA accuracy, then the same over the valid split and its QA accuracy ({@link PretrainQaEval}); then
 * {@code BEST_EVAL_LOSS_LXRT.pth} when the valid loss improves and {@code EpochNN_LXRT.pth}
 * ({@link PretrainCheckpoint}: the released layout, atomic), plus {@code LAST_LXRT.pth} and {@code LAST.resume.pth}.
 *
 * <p>The valid losses mean what the original's mean ({@link #evaluate}). Differences from the original, on purpose:
 * the train QA accuracy is printed overall only, and the summary works on one device (the original's needs
 * {@code --multiGPU}). Several devices ({@code --device gpu0,gpu1},
 * {@code cpu,cpu}) train data parallel on the one trainer ({@link PretrainTask} splits each micro-batch); evaluation and
 * snapshots use the first device's model.
 */
public final class Pretrainer implements Recipe<PretrainTask.Host, PretrainTask.OnDevice, Pretrainer.EpochRecord> {
    /** The task name of a pretraining run (run.json, resume identity). */
    public static final String TASK = "pretrain";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PretrainOptions opt;
    private final PretrainCorpus train;
    private final PretrainCorpus valid;
    private final PretrainBatcher trainBatcher;
    private final PretrainBatcher validBatcher;
    private final LxmertConfig config;
    /** The number of training devices (the valid batch size and its scattering follow it). */
    private final int devices;
    private NDManager root;
    private LxmertPretraining model;
    private Consumer<String> message = s -> {};

    /** One epoch's numbers: losses are {total, Mask_LM, Matched, Obj, Attr, Feat, QA}; accuracies in [0, 1]. */
    public record EpochRecord(int epoch, @JsonProperty("train") double[] trainLosses, @JsonProperty("valid") double[] validLosses,
                              @JsonProperty("train_qa") double trainQa, @JsonProperty("valid_qa") double validQa, double seconds) {
        public double trainLoss() { return trainLosses[0]; }
        public double validLoss() { return validLosses == null ? Double.NaN : validLosses[0]; }
    }

    /** The CLI's last line of a run: the last epoch's train and valid loss, its valid losses, QA accuracy (percent). */
    public static String summaryJson(Run.Result<EpochRecord> r) {
        EpochRecord l = r.last();
        ObjectNode o = JSON.createObjectNode();
        o.put("epochs", r.history().size());
        putNum(o, "train_loss", l == null ? Double.NaN : l.trainLoss());
        putNum(o, "valid_loss", l == null ? Double.NaN : l.validLoss());
        ObjectNode ls = o.putObject("losses");
        for (int i = 0; i < LxmertPretraining.LOSS_NAMES.length; i++) {
            putNum(ls, LxmertPretraining.LOSS_NAMES[i], l == null || l.validLosses() == null ? Double.NaN : l.validLosses()[i + 1]);
        }
        putNum(o, "qa_accuracy", l == null ? Double.NaN : l.validQa() * 100);
        o.put("train_seconds", Math.round(r.trainSeconds() * 1000) / 1000.0);
        o.put("examples_per_sec", Math.round(r.examplesPerSec() * 1000) / 1000.0);
        return o.toString().replace(",\"", ", \"").replace("\":", "\": ");
    }

    private static void putNum(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) o.put(k, v); else o.putNull(k);
    }

    /** The pretraining run of {@code opt}: checks the options, loads the corpora, builds the model with its initial weights. */
    public static Run<PretrainTask.Host, PretrainTask.OnDevice, EpochRecord> run(PretrainOptions opt, List<TrainingListener> listeners,
                                                                                 StopSignal stop) throws IOException {
        return new Run<>(settings(opt), () -> new Pretrainer(opt), listeners, stop);
    }

    /**
     * The run's settings: warm-up 0.05 and clip 1.0; a resume must share the valid sources and the task set; run.json
     * records the task set, the QA answer sets and the initial weights.
     */
    static Run.Settings settings(PretrainOptions o) {
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("tasks", o.tasks());
        recorded.put("qa_sets", o.qaSets());
        recorded.put("weights", o.weights());
        return new Run.Settings(TASK, o.data().root(), o.train(), o.valid(), o.output(), o.config(), o.vocab(), o.epochs(),
                o.batchSize(), o.accumulate(), o.lr(), o.seed(), o.device(), o.resume(), o.saveSnapshots(), PretrainOptions.WARMUP,
                PretrainOptions.CLIP, Map.of("valid", String.valueOf(o.valid()), "tasks", o.tasks().toString()), recorded);
    }

    /** Loads the training and valid corpora. */
    private Pretrainer(PretrainOptions opt) throws IOException {
        this.opt = opt;
        Vocab vocab = Vocab.load(opt.vocab());
        BertTokenizer tok = BertTokenizer.fromVocabFile(opt.vocab());
        List<String> qaSets = PretrainCorpus.parseQaSets(opt.qaSets());
        PretrainCorpus tr = null, va = null;
        try {
            tr = PretrainCorpus.load(opt.data(), opt.train(), qaSets, PretrainCorpus.trainTopK(opt.data()), tok, opt.seqLen());
            if (opt.valid() != null && !opt.valid().isBlank()) {
                va = PretrainCorpus.load(opt.data(), opt.valid(), qaSets, PretrainCorpus.validTopK(opt.data()), tok, opt.seqLen());
            }
            Masking.Specials sp = Masking.Specials.of(vocab);
            trainBatcher = new PretrainBatcher(tr, tr, opt.tasks(), sp, opt.seqLen(), opt.seed());
            validBatcher = va == null || va.size() == 0 ? null : new PretrainBatcher(va, tr, opt.tasks(), sp, opt.seqLen(), opt.seed() + 1);
            // the QA head predicts the answers of all_ans.json (after --qa-sets), as the original's num_answers
            this.config = opt.config().toBuilder().numQaLabels(Math.max(1, tr.answerTable().size())).build();
            this.devices = Devices.list(opt.device()).size();
            this.train = tr;
            this.valid = va;
        } catch (IOException | RuntimeException e) {
            if (tr != null) tr.close();
            if (va != null) va.close();
            throw e;
        }
    }

    @Override
    public Data data() {
        return new Data("pretraining corpus '" + opt.train() + "'", train.size(), train.features().featDim(), valid == null ? 0 : valid.size());
    }

    @Override public List<String> answers() { return train.answerTable().answers(); }
    /** BEST_EVAL_LOSS: the lowest valid loss, from the original's initial best_eval_loss 9595. */
    @Override public Objective objective() { return new Objective("BEST_EVAL_LOSS", true, 9595.); }
    @Override public Class<EpochRecord> epochType() { return EpochRecord.class; }

    /** Builds the model with the heads of the task set and loads its initial weights. */
    @Override
    public Model<PretrainTask.Host, PretrainTask.OnDevice> build(NDManager root, Consumer<String> message) {
        this.root = root;
        this.message = message;
        this.model = LxmertPretraining.create(root, config, opt.tasks().heads(), opt.seed());
        initialWeights();
        message.accept("pretraining corpus: " + train.size() + " sentences of " + train.numImages() + " images (" + opt.train() + ")"
                + (valid == null ? "" : "; valid " + valid.size() + " of " + valid.numImages() + " (" + opt.valid() + ")")
                + "; " + config.num_qa_labels() + " answers");
        if (!opt.resume()) {
            long total = TrainingLoop.totalSteps(train.size(), opt.batchSize(), opt.epochs());
            message.accept(String.format(Locale.ROOT, "Batch per epoch: %d\nTotal Iters: %d\nWarm up Iters: %d",
                    train.size() / opt.batchSize(), total, (long) (total * PretrainOptions.WARMUP)));
        }
        return new Model<>(model, new PretrainTask(model, opt.tasks()), null);
    }

    public LxmertPretraining model() { return model; }

    @Override
    public LxmertConfig config() { return config; }

    public PretrainCorpus trainCorpus() { return train; }

    /** The valid corpus, null without one. */
    PretrainCorpus validCorpus() { return valid; }

    private void initialWeights() {
        if (opt.resume()) { // the loop overwrites every parameter from the resume file
            message.accept("weights: from " + opt.output().resolve(lxmert.train.ResumeFile.NAME) + " (--resume: model and optimizer state"
                    + (opt.weightsPath() == null ? ")" : "; " + opt.weightsPath() + " is not loaded)"));
            return;
        }
        Map<String, NDArray> params = model.namedParameters();
        switch (opt.weights()) {
            case FROM_SCRATCH -> message.accept("weights: from scratch (seed " + opt.seed() + ")");
            case BERT -> message.accept(BertInit.load(params, opt.weightsPath()).describe());
            case BERT_FROM_SCRATCH -> message.accept(BertInit.loadMlmBias(params, opt.weightsPath()) + " (seed " + opt.seed() + ")");
            case LXMERT -> {
                Path p = PretrainCheckpoint.resolve(opt.weightsPath());
                Map<String, Tensor> ck = ModelWeights.readCanonical(p);
                // as the original's load_lxmert: no answer head (its answer table may differ)
                Map<String, NDArray> target = new LinkedHashMap<>();
                params.forEach((k, v) -> { if (!k.contains("answer")) target.put(k, v); });
                LoadReport r = ModelWeights.load(target, ck, k -> k.contains("answer"));
                if (r.missing().size() == target.size()) throw new IllegalArgumentException(p + ": holds no weight of the pretraining model");
                if (!r.mismatched().isEmpty()) throw new IllegalArgumentException(p + ": shapes do not match the config: " + r.mismatched());
                message.accept("Load LXMERT model from " + p + "\n" + r);
            }
            default -> throw new IllegalStateException();
        }
    }

    @Override
    public TrainingLoop.EpochLoader<PretrainTask.Host> loader() {
        return (epoch, order, i) -> PretrainTask.host(trainBatcher.fill(trainBatcher.allocate(order[i].length), order[i], epoch), train);
    }

    /** {@code dir/<name>_LXRT.pth} in the released layout ({@link PretrainCheckpoint}). */
    @Override
    public void saveModel(Path dir, String name) {
        PretrainCheckpoint.save(model, dir, name);
    }

    /** Losses {total, six} (means over batches) and the QA accuracy of the valid split, in eval mode without gradients. */
    public record Evaluation(double[] losses, double qaAccuracy, String qaLine) {}

    /** The original's valid batch size: 512, or 2048 with {@code --multiGPU} (here: several devices), lxmert_pretrain.py:47. */
    static int validBatchSize(int devices) {
        return devices > 1 ? 2048 : 512;
    }

    /**
     * The parts torch's DataParallel scatters a batch into over {@code devices} devices ({@code torch.chunk}: ceil(n / k)
     * examples each, the last smaller, possibly fewer parts than devices); one part with one device.
     */
    static int[][] scatterChunks(int[] batch, int devices) {
        int size = (batch.length + devices - 1) / devices;
        int[][] out = new int[(batch.length + size - 1) / size][];
        for (int i = 0; i < out.length; i++) out[i] = java.util.Arrays.copyOfRange(batch, i * size, Math.min(batch.length, (i + 1) * size));
        return out;
    }

    /** Valid examples {@code idx} with their draws (matching, masking, QA answer) of {@code epoch}. */
    PretrainBatch validBatch(PretrainBatch reuse, int[] idx, int epoch) {
        PretrainBatch b = reuse == null || reuse.capacity < idx.length ? validBatcher.allocate(idx.length) : reuse;
        return validBatcher.fill(b, idx, epoch);
    }

    /**
     * The valid pass after epoch {@code epoch} as the original's {@code evaluate_epoch} (lxmert_pretrain.py:360-388): the
     * model in eval mode, the valid examples in order in batches of {@link #validBatchSize} (the last one smaller), the
     * words and boxes masked and the sentences swapped afresh every epoch (the original's random stream moves on;
     * here: the valid batcher's draws of {@code epoch}), the random boxes taken from the training images as the
     * original's {@code random_feat} ({@code train_tuple.torchdset}, lxmert_pretrain.py:125); each batch's losses are
     * its means (with several devices the mean of the scattered parts' means, as {@code loss.mean()} over
     * DataParallel's outputs), and the reported losses the average of the batch losses ({@code total_loss / len(eval_ld)}).
     */
    public Evaluation evaluate(int epoch) {
        if (validBatcher == null) return null;
        int[][] batches = TrainingLoop.batches(valid.size(), validBatchSize(devices), false, false, 0);
        PretrainLoss lossFn = new PretrainLoss(config, opt.tasks());
        PretrainQaEval qa = new PretrainQaEval(valid);
        double[] sums = new double[7];
        model.setTraining(false);
        try (AutoCloseable ng = Grad.noGrad()) {
            PretrainBatch b = null;
            for (int[] batch : batches) {
                int[][] parts = scatterChunks(batch, devices);
                for (int[] idx : parts) {
                    b = validBatch(b, idx, epoch);
                    float[] h = validLosses(b, lossFn, qa);
                    for (int i = 0; i < 7; i++) sums[i] += h[i] / parts.length;
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 7; i++) sums[i] /= batches.length;
        return new Evaluation(sums, opt.tasks().qa() ? qa.accuracy().get("") : Double.NaN, opt.tasks().qa() ? qa.format() : null);
    }

    /** The losses {total, six} of one valid batch (its own means); records its QA predictions in {@code qa}. */
    private float[] validLosses(PretrainBatch b, PretrainLoss lossFn, PretrainQaEval qa) {
        try (NDManager m = root.newSubManager()) {
            PretrainBatch.Arrays a = b.toArrays(m);
            LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(),
                    a.visualMask(), a.mlmRows(), null);
            NDArray[] l = lossFn.means(o, a.targets(), PretrainLoss.counts(b), false);
            NDList all = new NDList();
            for (NDArray x : l) all.add(x.reshape(1));
            if (opt.tasks().qa()) {
                long[] pred = o.answerLogits().argMax(1).toLongArray();
                for (int i = 0; i < b.size; i++) qa.add(b.indices[i], (int) pred[i]);
            }
            return NDArrays.concat(all).toFloatArray();
        }
    }

    static String lossesLine(double[] l) {
        StringBuilder sb = new StringBuilder("The losses are ");
        for (int i = 0; i < LxmertPretraining.LOSS_NAMES.length; i++) {
            sb.append(String.format(Locale.ROOT, "%s: %.4f ", LxmertPretraining.LOSS_NAMES[i], l[i + 1]));
        }
        return sb.toString();
    }

    /** The original's epoch end: print train and valid losses and QA accuracy, BEST_EVAL_LOSS, EpochNN. */
    @Override
    public Outcome<EpochRecord> epochEnd(TrainingLoop.EpochEnd e, Run.Best best) throws IOException {
        int epoch = e.epoch();
        RunningSums.Values v = e.train();
        double[] tl = new double[7];
        tl[0] = v.mean(RunningSums.LOSS);
        for (int i = 0; i < 6; i++) tl[i + 1] = v.mean(LxmertPretraining.LOSS_NAMES[i]);
        Double score = v.exampleSums().get(PretrainTask.QA_SCORE), lab = v.exampleSums().get(PretrainTask.QA_LABELLED);
        double trainQa = score == null || lab == null || lab == 0 ? Double.NaN : score / lab;
        StringBuilder log = new StringBuilder();
        log.append(String.format(Locale.ROOT, "The training loss for Epoch %d is %.4f\n", epoch, tl[0]));
        log.append(lossesLine(tl)).append('\n');
        if (opt.tasks().qa()) log.append(String.format(Locale.ROOT, "Overall Accu %.4f, \n", trainQa));
        Evaluation ev = evaluate(epoch);
        double validQa = Double.NaN;
        if (ev != null) {
            log.append(String.format(Locale.ROOT, "The valid loss is %.4f\n", ev.losses()[0]));
            log.append(lossesLine(ev.losses())).append('\n');
            if (ev.qaLine() != null) log.append(ev.qaLine()).append('\n');
            validQa = ev.qaAccuracy();
            best.offer(ev.losses()[0]);
        }
        if (opt.saveSnapshots()) PretrainCheckpoint.save(model, opt.output(), String.format(Locale.ROOT, "Epoch%02d", epoch + 1));
        message.accept(log.toString().stripTrailing());
        EpochRecord rec = new EpochRecord(epoch, tl, ev == null ? null : ev.losses(), trainQa, validQa, e.seconds());
        return new Outcome<>(rec, log.toString(), new TrainingListener.EpochEvent(epoch, trainQa, validQa, Double.NaN, tl[0],
                e.seconds(), e.examplesPerSec(), ev == null ? Double.NaN : ev.losses()[0], ev == null ? Double.NaN : best.value()));
    }

    @Override
    public void close() {
        train.close();
        if (valid != null) valid.close();
    }
}
