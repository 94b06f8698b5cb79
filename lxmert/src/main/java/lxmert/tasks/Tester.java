package lxmert.tasks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a task snapshot and predicts a split: the original's {@code --test} path. Writes
 * {@code <split>_predict.json} (VQA / GQA) or {@code <split>_predict.csv} (NLVR2) and reports accuracy when the
 * split has labels.
 */
public final class Tester implements AutoCloseable {
    private final Task task;
    private final NDManager root;
    private final TaskNet net;
    private final LxmertConfig config;
    private final Path vocab;
    private final List<String> label2ans;

    /**
     * The outcome: accuracy in [0, 1] over the {@code labelled} examples (NaN when none is), the number of
     * predictions, the prediction file, the per-example table, and one line per split of what loading kept and dropped.
     */
    public record Result(double accuracy, int n, Path file, List<Row> rows, int labelled, List<String> dataSummary) {}

    /**
     * One prediction: example id, image(s), sentence, predicted answer, its score against the gold labels, the
     * probability the model gave it ({@link FinetuneRecipe#probabilities}: sigmoid for the QA BCE head, softmax for
     * cross entropy), question / answer type, and the gold labels with their scores.
     */
    public record Row(String id, String imgId, String sent, String predicted, double score, double probability,
                      String questionType, String answerType, Map<String, Double> label) {}

    /**
     * @param snapshot a task snapshot .pth (or the original's name without .pth)
     * @param config the model config; null = a HuggingFace folder's config.json, {@code config.json} beside the
     *               snapshot, else lxr955
     */
    public Tester(Task task, Path snapshot, LxmertConfig config, int numAnswers, Path vocab, String device) throws IOException {
        this(task, snapshot, config, numAnswers, null, vocab, device, lxmert.util.Precision.FP32);
    }

    /**
     * As above with the answer table its head was trained with ({@code label2ans}: a run folder's
     * {@code label2ans.json}; null: the data root's), in {@code precision} (fp16: GPU only, checked here; LayerNorm
     * and softmax stay float32).
     */
    public Tester(Task task, Path snapshot, LxmertConfig config, int numAnswers, List<String> label2ans, Path vocab,
                   String device, lxmert.util.Precision precision) throws IOException {
        precision.checkDevice(Device.fromName(device));
        this.task = task;
        this.label2ans = label2ans;
        Path file = Snapshots.resolveLoad(snapshot);
        if (config == null) { // a HuggingFace folder's own config.json, else the one beside the snapshot file
            Path cj = lxmert.checkpoint.HfFolder.is(file) ? file.resolve(lxmert.checkpoint.HfFolder.CONFIG) : file.resolveSibling("config.json");
            config = Files.isRegularFile(cj) ? LxmertConfig.load(cj) : LxmertConfig.lxr955();
        }
        this.config = config;
        this.vocab = vocab;
        this.root = NDManager.newBaseManager(Device.fromName(device));
        try {
            this.net = new TaskNet(task, root, config, numAnswers, 0, false);
            LoadReport r = ModelWeights.load(net.module().namedParameters(), ModelWeights.readCanonical(file), k -> false);
            if (!r.isClean()) throw new IllegalArgumentException(file + ": does not fit the " + task.id + " model\n" + r);
            if (precision != lxmert.util.Precision.FP32) net.module().castExceptLayerNorm(precision.dataType);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    public TaskNet net() {
        return net;
    }

    /** Predicts {@code split}; writes the prediction file into {@code outDir} when non-null. */
    public Result test(DataOptions data, String split, Path outDir, int batchSize) throws IOException {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(vocab), FinetuneOptions.SEQ_LEN);
        if (outDir != null) Files.createDirectories(outDir);
        FinetuneRecipe recipe = task.recipe();
        try (TaskData d = recipe.load(data, split, enc, label2ans)) {
            Predictor.Predictions p = Predictor.predict(net, d, batchSize, root);
            return result(task, d, p.labels(), p.probabilities(), split, outDir);
        }
    }

    /**
     * The result of predicting class {@code labels[i]} with probability {@code probabilities[i]} for every example
     * {@code i} of {@code d}; writes the prediction file into {@code outDir} when non-null. {@link #test} ends with it;
     * the Spark {@code test} command calls it on the driver with the predictions its executors made.
     */
    public static Result result(Task task, TaskData d, int[] labels, float[] probabilities, String split, Path outDir)
            throws IOException {
        FinetuneRecipe recipe = task.recipe();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) rows.add(recipe.row(d, i, labels[i], probabilities[i]));
        Path f = outDir == null ? null : recipe.writePredictions(outDir, split, rows);
        return new Result(TaskData.accuracy(d, labels), d.size(), f, rows, d.labelledCount(), d.loadSummary());
    }

    public Map<String, NDArray> parameters() {
        return net.module().namedParameters();
    }

    @Override
    public void close() {
        root.close();
    }
}
