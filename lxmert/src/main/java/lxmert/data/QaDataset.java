package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A VQA or GQA dataset in the original layout ({@code VQADataset}+{@code VQATorchDataset}, {@code GQADataset}+
 * {@code GQATorchDataset}): the questions of one or more comma-separated splits, the task answer table, the image
 * features and the questions whose image has features ({@link #data()}; the others are dropped and counted).
 *
 * <p>Feature files and topK as the original: VQA split -> {@code mscoco_imgfeat/<train2014|val2014|test2015>_obj36.tsv}
 * with minival = first 5000 val2014 images when no topK is set; GQA -> {@code vg_gqa_imgfeat/vg_gqa_obj36.tsv}, or
 * only {@code gqa_testdev_obj36.tsv} (all rows) when the splits include testdev.
 */
public final class QaDataset implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QaDataset.class);

    private final QaTask task;
    private final String name;
    private final List<String> splits;
    private final List<QaExample> raw;
    private final Map<String, QaExample> id2datum;
    private final TaskAnswers answers;
    private final ImageFeatures features;
    private final List<QaExample> data;

    private QaDataset(QaTask task, String name, List<QaExample> raw, TaskAnswers answers, ImageFeatures features) {
        this.task = task;
        this.name = name;
        this.splits = QaTask.splits(name);
        this.raw = Collections.unmodifiableList(raw);
        Map<String, QaExample> m = new LinkedHashMap<>();
        for (QaExample e : raw) m.put(e.questionId(), e);
        this.id2datum = Collections.unmodifiableMap(m);
        this.answers = answers;
        this.features = features;
        List<QaExample> used = new ArrayList<>();
        for (QaExample e : raw) if (features == null || features.contains(e.imgId())) used.add(e);
        this.data = Collections.unmodifiableList(used);
    }

    /** Questions and answer table only (no features): what evaluation needs. */
    public static QaDataset loadQuestions(QaTask task, Path root, String splits) throws IOException {
        return new QaDataset(task, splits, readSplits(task, root, splits), TaskAnswers.load(task.answerDir(root)), null);
    }

    /** Questions, answer table and features; questions without features are dropped (and logged with a count). */
    public static QaDataset load(QaTask task, DataOptions opt, String splits) throws IOException {
        return load(task, opt, splits, TaskAnswers.load(task.answerDir(opt.root())));
    }

    /** As {@link #load(QaTask, DataOptions, String)} with a given answer table (a run folder's) instead of the data root's. */
    public static QaDataset load(QaTask task, DataOptions opt, String splits, TaskAnswers ans) throws IOException {
        List<QaExample> raw = readSplits(task, opt.root(), splits);
        List<Path> tsvs = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        int topK = opt.taskTopK();
        List<String> sp = QaTask.splits(splits);
        if (task == QaTask.VQA) {
            for (String s : sp) {
                tsvs.add(task.featureTsv(opt.root(), s));
                ks.add(s.equals("minival") && topK <= 0 ? 5000 : topK);
            }
        } else if (sp.contains("testdev") || sp.contains("testdev_all")) {
            tsvs.add(task.featureTsv(opt.root(), "testdev"));
            ks.add(-1);
        } else {
            tsvs.add(task.featureTsv(opt.root(), "train"));
            ks.add(topK);
        }
        QaDataset d = new QaDataset(task, splits, raw, ans, ImageFeatures.open(opt, tsvs, ks));
        LOG.info("{} {}: {} questions, {} with image features, {} dropped (no features)", task, splits, raw.size(),
                d.data.size(), d.dropped());
        return d;
    }

    /** All questions of the comma-separated splits, in file order. */
    public static List<QaExample> readSplits(QaTask task, Path root, String splits) throws IOException {
        List<QaExample> out = new ArrayList<>();
        for (String s : QaTask.splits(splits)) out.addAll(readSplit(task, task.splitFile(root, s)));
        return out;
    }

    /** Reads one split file (a json list of question records). */
    public static List<QaExample> readSplit(QaTask task, Path file) throws IOException {
        JsonNode root = Json.array(file, Json.read(file), "top level");
        List<QaExample> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            String where = "index " + i;
            JsonNode d = Json.object(file, root.get(i), where);
            JsonNode qid = Json.get(file, d, "question_id", where);
            if (task == QaTask.VQA && !qid.isIntegralNumber()) {
                throw new DataFormatException(file, where + ", key 'question_id'", "expected an integer, found " + qid);
            }
            if (!qid.isIntegralNumber() && !qid.isTextual()) {
                throw new DataFormatException(file, where + ", key 'question_id'", "expected a string or integer, found " + qid);
            }
            String id = qid.asText();
            where = where + " (question_id " + id + ")";
            String img = Json.text(file, d, "img_id", where);
            String sent = Json.text(file, d, "sent", where);
            Map<String, Double> label = null;
            JsonNode l = d.get("label");
            if (l != null) {
                Json.object(file, l, where + ", key 'label'");
                label = new LinkedHashMap<>();
                var it = l.fields();
                while (it.hasNext()) {
                    var e = it.next();
                    if (!e.getValue().isNumber()) {
                        throw new DataFormatException(file, where + ", key 'label', answer '" + e.getKey() + "'",
                                "expected a number score, found " + e.getValue());
                    }
                    label.put(e.getKey(), e.getValue().doubleValue());
                }
            }
            out.add(new QaExample(id, img, sent, label, Json.optText(file, d, "question_type", where),
                    Json.optText(file, d, "answer_type", where)));
        }
        return out;
    }

    /**
     * The soft-score target over the task's answers (float32 as {@code torch.zeros}): VQA requires every labelled
     * answer to be in the table (the original raises KeyError); GQA skips answers absent from the table.
     */
    public float[] target(QaExample e) {
        float[] t = new float[answers.size()];
        if (e.label() == null) throw new IllegalArgumentException("question " + e.questionId() + " has no label");
        for (var en : e.label().entrySet()) {
            int l = answers.label(en.getKey());
            if (l < 0) {
                if (task == QaTask.GQA) continue;
                throw new IllegalArgumentException("question " + e.questionId() + ": answer '" + en.getKey()
                        + "' is not in vqa/trainval_ans2label.json");
            }
            t[l] = (float) (double) en.getValue();
        }
        return t;
    }

    public QaTask task() { return task; }
    public String name() { return name; }
    public List<String> splits() { return splits; }
    /** Every question read, including those without features. */
    public List<QaExample> raw() { return raw; }
    /** Questions whose image has features (all of {@link #raw()} when loaded without features). */
    public List<QaExample> data() { return data; }
    public int dropped() { return raw.size() - data.size(); }
    public QaExample get(String questionId) { return id2datum.get(questionId); }
    public Map<String, QaExample> id2datum() { return id2datum; }
    public TaskAnswers answers() { return answers; }
    /** Null when loaded without features. */
    public ImageFeatures features() { return features; }

    @Override
    public void close() { if (features != null) features.close(); }
}
