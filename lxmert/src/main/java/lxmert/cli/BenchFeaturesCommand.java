package lxmert.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import lxmert.data.FeatureStore;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench features --tsv FILE [--cache-dir DIR]}: converts the TSV into a fresh feature store, reopens it, reads
 * every image once, and prints {@code images=N convert_s=X reopen_s=Y rss_anon_mb=Z} as the last line.
 */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Time TSV -> feature store conversion, reopening and one pass over every image.")
public final class BenchFeaturesCommand implements Callable<Integer> {
    @Option(names = "--tsv", required = true, description = "obj36 feature TSV") Path tsv;
    @Option(names = "--cache-dir", description = "directory for the store (default: beside the TSV)") Path cacheDir;
    @Option(names = "--top-k", defaultValue = "-1", converter = Check.AllOrPositiveInt.class, description = "only the first K rows (default all)") int topK;

    @Override
    public Integer call() throws Exception {
        Path dest = FeatureStore.storePath(tsv, cacheDir, topK);
        long t0 = System.nanoTime();
        int n;
        try (FeatureStore st = FeatureStore.convert(tsv, dest, topK, 0)) { n = st.size(); }
        double convert = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        FeatureStore st = FeatureStore.open(tsv, cacheDir, topK, 0);
        double reopen = (System.nanoTime() - t1) / 1e9;
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
        double read = (System.nanoTime() - t2) / 1e9;
        System.out.printf("store=%s bytes=%d read_all_s=%.3f checksum=%.4f%n", st.path(), Files.size(st.path()), read, checksum);
        System.out.printf("images=%d convert_s=%.3f reopen_s=%.4f rss_anon_mb=%.1f%n", n, convert, reopen, rssAnonMb());
        return 0;
    }

    /** RssAnon of this process from /proc/self/status, in MiB (-1 when unavailable). */
    static double rssAnonMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("RssAnon:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (Exception e) { /* not Linux */ }
        return -1;
    }
}
