package lxmert.kernel.lib;

import lxmert.eval.VqaOfficialEval;
import lxmert.tasks.FinetuneRecipe;
import lxmert.tasks.Task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The score of a prediction / submission file on a labelled split, as {@code lxmert evaluate} computes it with the
 * library's {@code lxmert.eval} classes: VQA soft score (or the official VQA accuracy with an annotation file, the
 * soft score then in {@link #softAccuracy}), GQA exact match, NLVR2 accuracy and consistency. Fractions in [0, 1]
 * (NaN when not applicable).
 */
public record Evaluation(Task task, String split, Path predictions, double accuracy, int n, double softAccuracy,
                         double consistency) {

    /** Scores {@code predictions} against {@code split} under {@code dataRoot}; {@code annotations} may be null. */
    public static Evaluation score(Task task, Path dataRoot, String split, Path predictions, Path annotations)
            throws IOException {
        return score(task, dataRoot, split, predictions, annotations, VqaOfficialEval.DEFAULT);
    }

    /** As {@link #score(Task, Path, String, Path, Path)} with the given official VQA script version. */
    public static Evaluation score(Task task, Path dataRoot, String split, Path predictions, Path annotations,
                                   VqaOfficialEval.Version vqaEvalVersion) throws IOException {
        FinetuneRecipe.Scores s = task.recipe().score(dataRoot, split, predictions, annotations, vqaEvalVersion);
        return new Evaluation(task, split, predictions, s.accuracy(), s.n(), s.softAccuracy(), s.consistency());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s %s: accuracy %.2f%% on %d predictions",
                task.id, split, 100 * accuracy, n));
        if (!Double.isNaN(softAccuracy)) s.append(String.format(Locale.ROOT, ", soft accuracy %.2f%%", 100 * softAccuracy));
        if (!Double.isNaN(consistency)) s.append(String.format(Locale.ROOT, ", consistency %.2f%%", 100 * consistency));
        return s.append(" (").append(predictions).append(')').toString();
    }
}
