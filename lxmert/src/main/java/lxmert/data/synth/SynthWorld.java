package lxmert.data.synth;

import java.nio.file.Path;

public final class SynthWorld {
    public record Config(long seed, double scale, int featDim) {}
    public record Summary(String s) {}
    public SynthWorld(Config c) {}
    public Summary write(Path out) { throw new UnsupportedOperationException(); }
}
