package lxmert.cli;

import lxmert.data.synth.SynthWorld;
import lxmert.util.Check;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options of {@code lxmert data synth} and {@code %lxmert synth} (a picocli mixin: {@code @Mixin SynthArgs
 * args;}); {@link #resolve} checks them and returns the world's configuration.
 */
public final class SynthArgs {
    @Option(names = "--out", required = true, description = "data root to write (e.g. data/)") public Path out;
    @Option(names = "--seed", defaultValue = "9595", description = "random seed (default ${DEFAULT-VALUE})") public long seed;
    @Option(names = "--scale", defaultValue = "40.0", converter = Check.PositiveDouble.class, description = "size multiplier (default ${DEFAULT-VALUE})") public double scale;
    @Option(names = "--feat-dim", defaultValue = "64", converter = Check.PositiveInt.class, description = "visual feature dim (default ${DEFAULT-VALUE})") public int featDim;
    @Option(names = "--boxes", defaultValue = "8", converter = Check.PositiveInt.class, description = "boxes per image: objects + clutter (default ${DEFAULT-VALUE})") public int boxes;

    /** The world to write in {@code --out}, {@code --boxes} checked first. */
    public SynthWorld.Config resolve() {
        Check.atLeast("--boxes", boxes, SynthWorld.MIN_BOXES);
        return new SynthWorld.Config(seed, scale, featDim, boxes);
    }
}
