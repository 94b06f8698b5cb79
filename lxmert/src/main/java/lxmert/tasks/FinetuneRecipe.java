package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.eval.VqaOfficialEval;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.Recipe;
import lxmert.train.RunningSums;
import lxmert.train.Run;
import lxmert.train.TrainingListener;
import lxmert.train.TrainingLoop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a fine-tuning task is (each {@link Task} maps to one): its data, its head and loss, the score of a
 * prediction, its prediction file and how a prediction file is scored. {@link QaRecipe} (VQA, GQA: one model
 * family, different data, answers and evaluation) and {@link Nlvr2Recipe}. The training run of a task is
 * {@link Training} (a {@link Recipe} of the one {@link Run}): the same for every fine-tuning task, as the original's
 * {@code vqa.py}/{@code gqa.py}/{@code nlvr2.py} share it.
 */
public abstract sealed class FinetuneRecipe permits QaRecipe, Nlvr2Recipe {
    /** The task's name (vqa, gqa, nlvr2). */
    final String id;

    FinetuneRecipe(String id) {
        this.id = id;
    }

    /** Split(s) of {@code data} ready for batching; {@code label2ans}: the head's answer table (null: the data root's). */
    public abstract TaskData load(DataOptions data, String splits, SentenceEncoder encoder, List<String> label2ans)
            throws IOException;

    /** The answer table of a head trained on {@code train}. */
    abstract List<String> label2ans(TaskData train);

    /** The number of answers of the task's head: the answer table under the data root. */
    public abstract int numAnswers(Path dataRoot) throws IOException;

    /** The head model (LXRT encoder + head), seeded. */
    abstract TaskNet.Head head(NDManager manager, LxmertConfig config, int numAnswers, long seed);

    /** The targets of examples {@code [from, to)} of a batch on the device. */
    abstract NDArray targets(NDManager m, HostBatch b, int from, int to, int numAnswers);

    /** The original's loss of the logits against the targets, as a sum over the batch (a mean over {@link #lossCount}). */
    abstract NDArray lossSum(NDArray logits, NDArray targets, int numAnswers, boolean mceLoss);

    /** What the loss is a mean over in a host batch (the original's denominator), counted on the host. */
    abstract long lossCount(HostBatch b);

    /** The sum of the scores of the predicted classes [B] against the targets (on the device). */
    abstract NDArray scoreSum(NDArray predicted, NDArray targets);

    /**
     * The probability of every class [B, A] as the head's loss reads the logits [B, A]: a binary cross entropy
     * (BCE) scores each class on its own (sigmoid), a cross entropy makes one distribution over the classes (softmax).
     */
    abstract NDArray probabilities(NDArray logits, boolean mceLoss);

    /** The table row of predicting class {@code label}, with probability {@code probability}, for example {@code i}. */
    public abstract Tester.Row row(TaskData data, int i, int label, double probability);

    /** Writes the original's prediction file of {@code split} into {@code dir}; returns it. */
    abstract Path writePredictions(Path dir, String split, List<Tester.Row> rows) throws IOException;

    /** {@code --load-lxmert-qa}: the pretrained encoder and answer head into {@code params}. */
    abstract void loadLxmertQa(FinetuneOptions opt, Map<String, NDArray> params, List<String> label2ans, Consumer<String> message)
            throws IOException;

    /** Fractions in [0, 1] (NaN: not applicable). */
    public record Scores(double accuracy, int n, double softAccuracy, double consistency) {}

    /**
     * Scores a prediction / submission file against the labelled {@code split}; {@code annotations}: the official VQA
     * annotation file (VQA only; null: none).
     */
    public abstract Scores score(Path dataRoot, String split, Path predictions, Path annotations,
                                 VqaOfficialEval.Version version) throws IOException;

    void noAnnotations(Path annotations) {
        if (annotations != null) {
            throw new IllegalArgumentException("--annotations is the official VQA annotation file; it does not apply to " + id);
        }
    }

    /**
     * The fine-tuning run of a task as the original's: BertAdam with warm-up 0.1, clip 5.0, the seeded shuffle and
     * drop_last of the loop; after each epoch the train accuracy (of the epoch's own predictions), the valid accuracy,
     * BEST when it improves, and the original's {@code log.log} lines.
     */
    static final class Training implements Recipe<HostBatch, FinetuneTask.Batch, Finetuner.EpochRecord> {
        private final FinetuneRecipe recipe;
        private final FinetuneOptions opt;
        private final TaskData train;
        private final TaskData valid;
        private final List<String> label2ans;
        private TaskNet net;
        private NDManager root;

        /** Loads the training and valid splits. */
        Training(FinetuneOptions opt) throws IOException {
            this.recipe = opt.task().recipe();
            this.opt = opt;
            SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(opt.vocab()), FinetuneOptions.SEQ_LEN);
            this.train = recipe.load(opt.data(), opt.trainSplits(), enc, null);
            try {
                this.label2ans = recipe.label2ans(train);
                this.valid = opt.validSplit() == null || opt.validSplit().isEmpty() ? null
                        : recipe.load(opt.data(), opt.validSplit(), enc, null);
            } catch (IOException | RuntimeException e) {
                train.close();
                throw e;
            }
        }

        /** The settings of a fine-tuning run with options {@code o}. */
        static Run.Settings settings(FinetuneOptions o) {
            return new Run.Settings(o.task().id, o.data().root(), o.trainSplits(), o.validSplit(), o.output(), o.config(),
                    o.vocab(), o.epochs(), o.batchSize(), o.accumulate(), o.lr(), o.seed(), o.device(), o.resume(),
                    o.saveSnapshots(), 0.1, 5.0, Map.of(), Map.of("mce_loss", o.mceLoss()));
        }

        TaskNet net() { return net; }
        TaskData trainData() { return train; }

        @Override
        public Data data() {
            return new Data("training split '" + opt.trainSplits() + "'", train.size(), train.featDim(), valid == null ? 0 : valid.size());
        }

        @Override public LxmertConfig config() { return opt.config(); }
        @Override public List<String> answers() { return label2ans; }
        @Override public Objective objective() { return new Objective("BEST", false, Double.NaN); }
        @Override public Class<Finetuner.EpochRecord> epochType() { return Finetuner.EpochRecord.class; }

        @Override
        public Model<HostBatch, FinetuneTask.Batch> build(NDManager root, Consumer<String> message) throws IOException {
            this.root = root;
            this.net = new TaskNet(opt.task(), root, opt.config(), train.numAnswers(), opt.seed(), opt.mceLoss());
            // one line per split of what loading kept and dropped
            for (String line : train.loadSummary()) message.accept(line);
            if (valid != null) for (String line : valid.loadSummary()) message.accept(line);
            InitialWeights.load(opt, net, label2ans, message);
            return new Model<>(net.module(), new FinetuneTask(net), FinetuneTask.SCORE);
        }

        @Override
        public TrainingLoop.EpochLoader<HostBatch> loader() {
            return (epoch, order, i) -> train.fill(train.allocate(order[i].length), order[i]);
        }

        @Override
        public void saveModel(Path dir, String name) {
            Snapshots.saveModel(Snapshots.modelFile(dir, name), net.module().namedParameters());
        }

        /** Evaluates in eval mode without gradients, batch size {@code evalBatchSize}. */
        Predictor.Predictions evaluate(TaskData data) {
            return Predictor.predict(net, data, opt.evalBatchSize(), root);
        }

        @Override
        public Outcome<Finetuner.EpochRecord> epochEnd(TrainingLoop.EpochEnd e, Run.Best best) throws IOException {
            int epoch = e.epoch();
            double trainAcc = e.train().mean(FinetuneTask.SCORE);
            double validAcc = Double.NaN;
            StringBuilder log = new StringBuilder(String.format(Locale.ROOT, "\nEpoch %d: Train %.2f\n", epoch, trainAcc * 100));
            if (valid != null) {
                validAcc = evaluate(valid).accuracy();
                best.offer(validAcc);
                log.append(String.format(Locale.ROOT, "Epoch %d: Valid %.2f\n", epoch, validAcc * 100));
                log.append(String.format(Locale.ROOT, "Epoch %d: Best %.2f\n", epoch, best.value() * 100));
            }
            Finetuner.EpochRecord r = new Finetuner.EpochRecord(epoch, trainAcc, validAcc, best.value(),
                    e.train().mean(RunningSums.LOSS), e.seconds());
            return new Outcome<>(r, log.toString(), new TrainingListener.EpochEvent(epoch, trainAcc, validAcc, best.value(),
                    r.meanLoss(), e.seconds(), e.examplesPerSec()));
        }

        @Override
        public void close() {
            train.close();
            if (valid != null) valid.close();
        }
    }
}
