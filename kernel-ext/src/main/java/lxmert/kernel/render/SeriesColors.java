package lxmert.kernel.render;

import org.knowm.xchart.XYSeries;

import java.awt.Color;
import java.util.List;
import java.util.Map;

/**
 * One colour per series, the same in every chart of this module (the live training chart, the history chart, the
 * pretraining charts): train blue, valid orange, the total loss dark grey, each pretraining loss its own colour, and
 * further series (e.g. runs compared in one chart) from a list that repeats none of these. XChart's default palette
 * colours series by their order in each chart, so the same series changed colour between charts, and its orange
 * and yellow (6th series) were hard to tell apart.
 */
public final class SeriesColors {
    /** Training series (accuracy, loss parts on the training split). */
    public static final Color TRAIN = new Color(0x1f77b4);
    /** Validation series. */
    public static final Color VALID = new Color(0xff7f0e);
    /** The total training loss. */
    public static final Color LOSS = new Color(0x4d4d4d);

    /** The pretraining losses ({@code LxmertPretraining.LOSS_NAMES}), each its own colour. */
    private static final Map<String, Color> TASKS = Map.of(
            "Mask_LM", new Color(0x2ca02c), "Matched", new Color(0xd62728), "Obj", new Color(0x9467bd),
            "Attr", new Color(0x8c564b), "Feat", new Color(0xe377c2), "QA", new Color(0x17becf));

    /** Colours of other series, in order: none is one of the above. */
    private static final List<Color> OTHERS = List.of(new Color(0x6a3d9a), new Color(0x33a02c), new Color(0xb15928),
            new Color(0x1b9e77), new Color(0xe7298a), new Color(0x666600));

    private SeriesColors() {
    }

    /** The colour of pretraining loss {@code name} (e.g. "Matched"); null for a name that is not one. */
    public static Color task(String name) {
        return TASKS.get(name);
    }

    /** The colour of the {@code i}-th (0-based) series that is neither train, valid, loss nor a pretraining loss. */
    public static Color other(int i) {
        return OTHERS.get(Math.floorMod(i, OTHERS.size()));
    }

    /** Sets {@code s}'s line, marker and fill colour to {@code c}; returns {@code s}. */
    public static XYSeries paint(XYSeries s, Color c) {
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setFillColor(c);
        return s;
    }
}
