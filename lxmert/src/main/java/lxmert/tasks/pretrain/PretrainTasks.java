package lxmert.tasks.pretrain;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which pretraining tasks run and the masking rates ({@code --task-mask-lm}, {@code --task-obj-predict},
 * {@code --task-matched}, {@code --task-qa}, {@code --visual-losses}, {@code --word-mask-rate},
 * {@code --obj-mask-rate}). A disabled task's loss is 0, as in the original. As the original, words and objects are
 * masked whatever tasks run (lxmert_pretrain.py convert_example_to_features), and the sentence is swapped for the
 * matched task only when that task runs.
 */
public record PretrainTasks(boolean maskLm, boolean objPredict, boolean matched, boolean qa, Set<String> visualLosses,
                            double wordMaskRate, double objMaskRate) {
    public static final List<String> VISUAL_LOSSES = List.of("obj", "attr", "feat");

    public PretrainTasks {
        if (!(wordMaskRate >= 0 && wordMaskRate <= 1)) throw new IllegalArgumentException("--word-mask-rate must be in [0, 1], got " + wordMaskRate);
        if (!(objMaskRate >= 0 && objMaskRate <= 1)) throw new IllegalArgumentException("--obj-mask-rate must be in [0, 1], got " + objMaskRate);
        for (String v : visualLosses) {
            if (!VISUAL_LOSSES.contains(v)) throw new IllegalArgumentException("--visual-losses: unknown loss '" + v + "', expected some of " + VISUAL_LOSSES);
        }
        // in VISUAL_LOSSES order, so toString (the resume identity) is the same in every JVM (Set.copyOf's order is not)
        visualLosses = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(VISUAL_LOSSES.stream().filter(visualLosses::contains).toList()));
    }

    /** All four tasks, all three visual losses, rates 0.15 (run/lxmert_pretrain.bash). */
    public static PretrainTasks all() {
        return new PretrainTasks(true, true, true, true, Set.copyOf(VISUAL_LOSSES), 0.15, 0.15);
    }

    /** Parses {@code obj,attr,feat} style lists. */
    public static Set<String> parseVisualLosses(String s) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : s.split(",")) if (!p.isBlank()) out.add(p.strip());
        return out;
    }

    public PretrainTasks withRates(double word, double obj) {
        return new PretrainTasks(maskLm, objPredict, matched, qa, visualLosses, word, obj);
    }

    public PretrainTasks withMatched(boolean m) {
        return new PretrainTasks(maskLm, objPredict, m, qa, visualLosses, wordMaskRate, objMaskRate);
    }

    public boolean visual(String name) { return objPredict && visualLosses.contains(name); }

    /**
     * The heads the original builds for these tasks (LXRTPretraining.__init__, modeling.py:888-920): the object head
     * with {@code --task-obj-predict} (decoders of {@code --visual-losses}), the answer head with {@code --task-qa};
     * MLM and matched always have theirs ({@code cls}).
     */
    public lxmert.model.LxmertPretraining.Heads heads() {
        return new lxmert.model.LxmertPretraining.Heads(objPredict, visualLosses, qa);
    }
}
