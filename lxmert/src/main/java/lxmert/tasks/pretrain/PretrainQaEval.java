package lxmert.tasks.pretrain;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pretraining QA accuracy as the original's {@code LXMERTEvaluator} (lxmert_data.py): the predicted answer of
 * every example of a pass is recorded by uid (a later prediction for the same uid replaces the earlier one, as the
 * original's dict); the accuracy is the mean over the labelled examples predicted of the label's score of the
 * predicted answer (0 when absent, also for labels emptied by the answer filter), overall and per sentence category.
 */
public final class PretrainQaEval {
    private final PretrainCorpus corpus;
    private final int[] predicted;

    public PretrainQaEval(PretrainCorpus corpus) {
        this.corpus = corpus;
        this.predicted = new int[corpus.size()];
        java.util.Arrays.fill(predicted, -1);
    }

    /** Records the predicted answer id of example {@code ex}. */
    public void add(int ex, int answer) { predicted[ex] = answer; }

    /** Accuracy in [0, 1] overall ({@code ""}) and per category; NaN overall when no labelled example was predicted. */
    public Map<String, Double> accuracy() {
        Map<String, double[]> acc = new TreeMap<>();
        double score = 0;
        long cnt = 0;
        for (int ex = 0; ex < predicted.length; ex++) {
            if (predicted[ex] < 0 || !corpus.labelled(ex)) continue;
            double s = corpus.scoreOf(ex, predicted[ex]);
            score += s;
            cnt++;
            double[] d = acc.computeIfAbsent(corpus.category(ex), k -> new double[2]);
            d[0] += s;
            d[1]++;
        }
        Map<String, Double> out = new TreeMap<>();
        out.put("", cnt == 0 ? Double.NaN : score / cnt);
        acc.forEach((k, v) -> out.put(k, v[0] / v[1]));
        return out;
    }

    /** The original's line: {@code Overall Accu 0.1234, gqa Accu 0.1000, vqa Accu 0.2000, }. */
    public String format() {
        Map<String, Double> a = accuracy();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Overall Accu %.4f, ", a.get("")));
        a.forEach((k, v) -> { if (!k.isEmpty()) sb.append(String.format(Locale.ROOT, "%s Accu %.4f, ", k, v)); });
        return sb.toString();
    }
}
