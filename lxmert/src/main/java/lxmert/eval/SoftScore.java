package lxmert.eval;

import java.util.Map;

/**
 * LXMERT's own QA accuracy ({@code VQAEvaluator.evaluate}, {@code GQAEvaluator.evaluate}): the mean over predicted
 * questions of the label's score for the predicted answer (0 when the answer is not in the label), summed in
 * prediction order in double precision as Python does. For GQA, whose labels hold a single answer with score 1, this is
 * exact-match accuracy.
 */
public final class SoftScore {
    private SoftScore() {}

    /**
     * @param predictions question id -> predicted answer (iteration order = summation order)
     * @param labels      question id -> label (answer -> score)
     * @return accuracy in [0, 1]; an unknown question id or an empty prediction map is an error
     */
    public static double accuracy(Map<String, String> predictions, Map<String, ? extends Map<String, Double>> labels) {
        if (predictions.isEmpty()) throw new IllegalArgumentException("no predictions to evaluate");
        double score = 0;
        for (var e : predictions.entrySet()) {
            if (!labels.containsKey(e.getKey())) {
                throw new IllegalArgumentException("predicted question id " + e.getKey() + " is not in the evaluated split");
            }
            Map<String, Double> label = labels.get(e.getKey());
            if (label == null) throw new IllegalArgumentException("question id " + e.getKey() + " has no label");
            Double s = label.get(e.getValue());
            if (s != null) score += s;
        }
        return score / predictions.size();
    }
}
