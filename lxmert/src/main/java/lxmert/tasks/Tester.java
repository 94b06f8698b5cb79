package lxmert.tasks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.QaDataset;
import lxmert.data.QaTask;
import lxmert.eval.PredictionFiles;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    /** One prediction: example id, image(s), sentence, predicted answer, its score, and the gold labels. */
    public record Row(String id, String imgId, String sent, String predicted, double score, String questionType,
                      String answerType, Map<String, Double> label) {}

    /**
     * @param snapshot a task snapshot .pth (or the original's name without .pth)
     * @param config the model config; null = {@code config.json} beside the snapshot, else lxr955
     */
    public Tester(Task task, Path snapshot, LxmertConfig config, int numAnswers, Path vocab, String device) throws IOException {
        this(task, snapshot, config, numAnswers, null, vocab, device, lxmert.util.Precision.FP32);
    }

    /** As above, in {@code precision} (fp16: GPU only, checked here; LayerNorm and softmax stay float32). */
    public Tester(Task task, Path snapshot, LxmertConfig config, int numAnswers, Path vocab, String device,
                  lxmert.util.Precision precision) throws IOException {
        this(task, snapshot, config, numAnswers, null, vocab, device, precision);
    }

    /**
     * A QA snapshot with the answer table its head was trained with (a run folder's {@code label2ans.json}):
     * predictions are named from this table, not from the data root's.
     */
    public Tester(Task task, Path snapshot, LxmertConfig config, List<String> label2ans, Path vocab, String device) throws IOException {
        this(task, snapshot, config, label2ans.size(), label2ans, vocab, device, lxmert.util.Precision.FP32);
    }

    /** As above, in {@code precision}. */
    public Tester(Task task, Path snapshot, LxmertConfig config, List<String> label2ans, Path vocab, String device,
                  lxmert.util.Precision precision) throws IOException {
        this(task, snapshot, config, label2ans.size(), label2ans, vocab, device, precision);
    }

    private Tester(Task task, Path snapshot, LxmertConfig config, int numAnswers, List<String> label2ans, Path vocab,
                   String device, lxmert.util.Precision precision) throws IOException {
        precision.checkDevice(Device.fromName(device));
        this.task = task;
        this.label2ans = label2ans;
        Path file = Snapshots.resolveLoad(snapshot);
        if (config == null) {
            Path cj = file.resolveSibling("config.json");
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
        if (task.isQa()) {
            QaTask qt = task == Task.VQA ? QaTask.VQA : QaTask.GQA;
            try (QaDataset ds = label2ans == null ? QaDataset.load(qt, data, split)
                    : QaDataset.load(qt, data, split, lxmert.data.TaskAnswers.of(label2ans))) {
                QaData d = new QaData(ds, enc, FinetuneOptions.SEQ_LEN);
                Predictor.Predictions p = Predictor.predict(net, d, batchSize, root);
                Map<String, String> q2a = new LinkedHashMap<>();
                List<Row> rows = new java.util.ArrayList<>();
                for (int i = 0; i < d.size(); i++) {
                    var e = d.example(i);
                    String ans = d.answer(p.labels()[i]);
                    q2a.put(e.questionId(), ans);
                    rows.add(new Row(e.questionId(), e.imgId(), e.sent(), ans, d.score(i, p.labels()[i]), e.questionType(),
                            e.answerType(), e.label()));
                }
                Path f = null;
                if (outDir != null) {
                    f = outDir.resolve(split + "_predict.json");
                    if (task == Task.VQA) PredictionFiles.writeVqa(f, q2a); else PredictionFiles.writeGqa(f, q2a);
                }
                return new Result(p.accuracy(), d.size(), f, rows, d.labelledCount(), d.loadSummary());
            }
        }
        try (Nlvr2Dataset ds = Nlvr2Dataset.load(data, split)) {
            Nlvr2Data d = new Nlvr2Data(ds, enc, FinetuneOptions.SEQ_LEN);
            Predictor.Predictions p = Predictor.predict(net, d, batchSize, root);
            Map<String, Boolean> idt2ans = new LinkedHashMap<>();
            List<Row> rows = new java.util.ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                var e = d.example(i);
                idt2ans.put(e.identifier(), p.labels()[i] == 1);
                rows.add(new Row(e.identifier(), e.img0() + "," + e.img1(), e.sent(), p.labels()[i] == 1 ? "True" : "False",
                        d.score(i, p.labels()[i]), null, null, e.label() == null ? null : Map.of(e.label() == 1 ? "True" : "False", 1.0)));
            }
            Path f = null;
            if (outDir != null) {
                f = outDir.resolve(split + "_predict.csv");
                PredictionFiles.writeNlvr2(f, idt2ans);
            }
            return new Result(p.accuracy(), d.size(), f, rows, d.labelledCount(), d.loadSummary());
        }
    }

    /** The number of answers of a task's head: the answer table under the data root (2 for NLVR2). */
    public static int numAnswers(Task task, Path dataRoot) throws IOException {
        if (!task.isQa()) return 2;
        return lxmert.data.TaskAnswers.load(dataRoot.resolve(task.id)).size();
    }

    public Map<String, NDArray> parameters() {
        return net.module().namedParameters();
    }

    @Override
    public void close() {
        root.close();
    }
}
