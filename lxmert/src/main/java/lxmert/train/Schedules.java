package lxmert.train;

/** The original's learning-rate schedules (optimization.py:38-43). */
public final class Schedules {
    private Schedules() {}

    /** warmup_linear(x) = x / w if x < w else max((x - 1) / (w - 1), 0), with x = step / t_total. */
    public static double warmupLinear(double x, double warmup) {
        if (x < warmup) return x / warmup;
        return Math.max((x - 1.0) / (warmup - 1.0), 0.0);
    }
}
