package lxmert.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NLVR2 metrics: accuracy ({@code NLVR2Evaluator.evaluate}: fraction of predictions equal to the label) and consistency
 * (the NLVR2 definition: the fraction of unique sentences for which the predictions on all of their image pairs are
 * correct). A sentence is the identifier {@code split-set-pair-sentence} with its pair field blanked, e.g.
 * {@code dev-850-0-0} and {@code dev-850-1-0} are the same sentence {@code dev-850-*-0}.
 */
public final class Nlvr2Eval {
    private Nlvr2Eval() {}

    /** The sentence group of an identifier: the third ('pair') field replaced by '*'. */
    public static String sentenceKey(String identifier) {
        String[] p = identifier.split("-", -1);
        if (p.length < 4) throw new IllegalArgumentException("NLVR2 identifier '" + identifier + "' does not have the form split-set-pair-sentence");
        p[p.length - 2] = "*";
        return String.join("-", p);
    }

    /** Fraction in [0, 1] of predictions (key -> 0/1 or boolean) equal to their label. */
    public static double accuracy(Map<String, Boolean> predictions, Map<String, Boolean> labels) {
        if (predictions.isEmpty()) throw new IllegalArgumentException("no predictions to evaluate");
        int ok = 0;
        for (var e : predictions.entrySet()) if (e.getValue().equals(label(labels, e.getKey()))) ok++;
        return (double) ok / predictions.size();
    }

    /** Consistency in [0, 1] over the sentences of the predicted identifiers. */
    public static double consistency(Map<String, Boolean> predictionsByIdentifier, Map<String, Boolean> labelsByIdentifier) {
        if (predictionsByIdentifier.isEmpty()) throw new IllegalArgumentException("no predictions to evaluate");
        Map<String, Boolean> allCorrect = new LinkedHashMap<>();
        for (var e : predictionsByIdentifier.entrySet()) {
            boolean ok = e.getValue().equals(label(labelsByIdentifier, e.getKey()));
            allCorrect.merge(sentenceKey(e.getKey()), ok, Boolean::logicalAnd);
        }
        long consistent = allCorrect.values().stream().filter(b -> b).count();
        return (double) consistent / allCorrect.size();
    }

    private static Boolean label(Map<String, Boolean> labels, String key) {
        Boolean l = labels.get(key);
        if (l == null) throw new IllegalArgumentException("predicted NLVR2 example " + key + " is not in the evaluated split (or has no label)");
        return l;
    }
}
