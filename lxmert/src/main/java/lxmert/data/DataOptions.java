package lxmert.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the data live and how much of them to load: the data root (original layout, default {@code data/}), an
 * optional feature-store cache directory (null = beside each TSV), the size mode ({@code --tiny} / {@code --fast})
 * and the expected visual feature dim (0 = take it from the data); {@code stores}: complete feature stores to use
 * instead of a TSV, by the TSV's file name (e.g. {@code val2014_obj36.tsv}; the Spark module builds them from
 * Parquet where the TSVs are not), empty for none.
 */
public record DataOptions(Path root, Path cacheDir, Size size, int expectedDim, Map<String, Path> stores) {
    public DataOptions {
        stores = stores == null ? Map.of() : Map.copyOf(stores);
    }

    public DataOptions(Path root, Path cacheDir, Size size, int expectedDim) {
        this(root, cacheDir, size, expectedDim, Map.of());
    }

    /** Full data, {@code --tiny} (first 512 images; 500 for pretraining) or {@code --fast} (first 5000). */
    public enum Size { FULL, TINY, FAST }

    public static DataOptions of(Path root) { return new DataOptions(root, null, Size.FULL, 0); }

    public DataOptions withSize(Size s) { return new DataOptions(root, cacheDir, s, expectedDim, stores); }

    public DataOptions withCacheDir(Path dir) { return new DataOptions(root, dir, size, expectedDim, stores); }

    public DataOptions withExpectedDim(int d) { return new DataOptions(root, cacheDir, size, d, stores); }

    /** These stores instead of the TSVs of the same file names ({@link FeatureStore#openStore}). */
    public DataOptions withStores(Map<String, Path> s) { return new DataOptions(root, cacheDir, size, expectedDim, s); }

    /** topK of the task loaders: 512 tiny, 5000 fast, -1 all. */
    public int taskTopK() { return size == Size.TINY ? 512 : size == Size.FAST ? 5000 : -1; }

    /** topK of the pretraining loader: 500 tiny, 5000 fast, -1 all. */
    public int pretrainTopK() { return size == Size.TINY ? 500 : size == Size.FAST ? 5000 : -1; }
}
