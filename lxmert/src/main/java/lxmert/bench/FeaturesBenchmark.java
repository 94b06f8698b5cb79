package lxmert.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import lxmert.data.FeatureStore;

/**
 * {@code bench features}: converts a TSV into a fresh feature store, reopens it and reads every image once; prints the
 * store's line and returns {@code images=N convert_s=X reopen_s=Y rss_anon_mb=Z}.
 */
public final class FeaturesBenchmark {
    private FeaturesBenchmark() {}

    public static String run(Path tsv, Path cacheDir, int topK, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        int n;
        try (FeatureStore st = FeatureStore.convert(tsv, FeatureStore.storePath(tsv, cacheDir, topK), topK, 0)) { n = st.size(); }
        double convert = Timing.since(t0);
        long t1 = System.nanoTime();
        try (FeatureStore st = FeatureStore.open(tsv, cacheDir, topK, 0)) {
            double reopen = Timing.since(t1);
            if (st.converted()) throw new IllegalStateException("reopen converted again: " + st.path());
            long t2 = System.nanoTime();
            float[] feats = new float[st.maxBoxes() * st.featDim()];
            float[] boxes = new float[st.maxBoxes() * 4];
            double checksum = 0;
            for (String id : st.ids()) {
                int i = st.index(id);
                st.copyFeatures(i, feats, 0);
                st.copyBoxes(i, boxes, 0);
                checksum += feats[0] + boxes[0];
            }
            out.printf("store=%s bytes=%d read_all_s=%.3f checksum=%.4f%n", st.path(), Files.size(st.path()), Timing.since(t2), checksum);
            return String.format("images=%d convert_s=%.3f reopen_s=%.4f rss_anon_mb=%.1f", n, convert, reopen,
                    Timing.Memory.mb(Timing.Memory.now().anon()));
        }
    }
}
