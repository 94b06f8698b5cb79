package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final QaTask task;
    private final String name;
    private final List<String> splits;
    private final List<QaExample> raw;
    private final Map<String, QaExample> id2datum;
    private final TaskAnswers answers;
    private final ImageFeatures features;
    private final List<QaExample> data;

    private final List<SplitStats> stats;

    /**
     * What loading one split kept and dropped: questions read, dropped for lack of image features (unknown images),
     * used, labelled among those used, and answers absent from the answer table (skipped in the targets) with the
     * number of questions holding one.
     */
    public record SplitStats(String split, int questions, int withoutFeatures, int used, int labelled,
                             int answersNotInTable, int questionsWithAnswersNotInTable) {
        /** Some but not all used questions carry a label. */
        public boolean partlyLabelled() {
            return labelled > 0 && labelled < used;
        }

        /**
         * The one summary line of the split, e.g. {@code vqa minival: 3076 questions, 3075 used (1 dropped: no image
         * features); 1 gold answer (of 1 question) not in the answer table, left out of the targets; all labelled}.
         * Counts that are zero are not spelled out.
         */
        public String summary(QaTask task) {
            StringBuilder b = new StringBuilder();
            b.append(task.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(split).append(": ")
                    .append(count(questions, "question"));
            if (withoutFeatures == 0) b.append(", all with image features");
            else b.append(", ").append(used).append(" used (").append(withoutFeatures).append(" dropped: no image features)");
            if (answersNotInTable > 0) {
                b.append("; ").append(count(answersNotInTable, "gold answer")).append(" (of ")
                        .append(count(questionsWithAnswersNotInTable, "question"))
                        .append(") not in the answer table, left out of the targets");
            }
            b.append("; ");
            if (labelled == used) b.append("all labelled");
            else if (labelled == 0) b.append("unlabelled");
            else b.append("PARTLY LABELLED: ").append(labelled).append(" of ").append(used)
                        .append(" questions have answers (accuracy is over those ").append(labelled).append(')');
            return b.toString();
        }

        private static String count(int n, String noun) {
            return n + " " + noun + (n == 1 ? "" : "s");
        }
    }

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
        this.stats = List.of();
    }

    private QaDataset(QaDataset d, List<SplitStats> stats) {
        this.task = d.task;
        this.name = d.name;
        this.splits = d.splits;
        this.raw = d.raw;
        this.id2datum = d.id2datum;
        this.answers = d.answers;
        this.features = d.features;
        this.data = d.data;
        this.stats = List.copyOf(stats);
    }

    /** Counts what each split kept and dropped; {@code sizes} are the splits' question counts in file order. */
    private static List<SplitStats> count(QaDataset d, List<String> names, List<Integer> sizes) {
        List<SplitStats> out = new ArrayList<>();
        int at = 0;
        for (int s = 0; s < names.size(); s++) {
            int noFeat = 0, labelled = 0, badAns = 0, badQ = 0;
            for (QaExample e : d.raw.subList(at, at + sizes.get(s))) {
                if (d.features != null && !d.features.contains(e.imgId())) {
                    noFeat++;
                    continue;
                }
                if (e.label() == null) continue;
                labelled++;
                int bad = 0;
                for (String a : e.label().keySet()) if (d.answers.label(a) < 0) bad++;
                badAns += bad;
                if (bad > 0) badQ++;
            }
            out.add(new SplitStats(names.get(s), sizes.get(s), noFeat, sizes.get(s) - noFeat, labelled, badAns, badQ));
            at += sizes.get(s);
        }
        return out;
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
        List<QaExample> raw = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (String s : QaTask.splits(splits)) {
            List<QaExample> one = readSplit(task, task.splitFile(opt.root(), s));
            raw.addAll(one);
            sizes.add(one.size());
        }
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
        return new QaDataset(d, count(d, sp, sizes));
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
     * The soft-score target over the task's answers (float32 as {@code torch.zeros}). Answers absent from the table
     * are skipped, for VQA and GQA alike, and counted when the dataset loads ({@link #stats()}). The original's GQA
     * skips them too ({@code if ans in ans2label}); its VQA would raise a KeyError
     * ({@code target[self.raw_dataset.ans2label[ans]] = score}, vqa_data.py:143-148) — here the answer is skipped and
     * counted instead, so a run is never stopped nor silently changed by it.
     */
    public float[] target(QaExample e) {
        if (e.label() == null) throw new IllegalArgumentException("question " + e.questionId() + " has no label");
        float[] t = new float[answers.size()];
        fillTarget(e, t, 0);
        return t;
    }

    /**
     * Writes the soft-score target of {@code e} into {@code dst[offset, offset + answers)} (zeros there are kept);
     * unlabelled questions leave it untouched. The one target path: batches use it too.
     */
    public void fillTarget(QaExample e, float[] dst, int offset) {
        if (e.label() == null) return;
        for (var en : e.label().entrySet()) {
            int l = answers.label(en.getKey());
            if (l >= 0) dst[offset + l] = (float) (double) en.getValue();
        }
    }

    /** Per split (in order): questions read, dropped, used, labelled, answers not in the table (empty without features). */
    public List<SplitStats> stats() { return stats; }

    /** One summary line per split of what loading kept and dropped. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        for (SplitStats st : stats) out.add(st.summary(task));
        return out;
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
