package lxmert.data;

import java.nio.file.Path;

/**
 * Where the data live and how much of them to load: the data root (original layout, default {@code data/}), an
 * optional feature-store cache directory (null = beside each TSV), the size mode ({@code --tiny} / {@code --fast})
 * and the expected visual feature dim (0 = take it from the data).
 */
public record DataOptions(Path root, Path cacheDir, Size size, int expectedDim) {
    /** Full data, {@code --tiny} (first 512 images; 500 for pretraining) or {@code --fast} (first 5000). */
    public enum Size { FULL, TINY, FAST }

    public static DataOptions of(Path root) { return new DataOptions(root, null, Size.FULL, 0); }

    public DataOptions withSize(Size s) { return new DataOptions(root, cacheDir, s, expectedDim); }

    public DataOptions withCacheDir(Path dir) { return new DataOptions(root, dir, size, expectedDim); }

    public DataOptions withExpectedDim(int d) { return new DataOptions(root, cacheDir, size, d); }

    /** topK of the task loaders: 512 tiny, 5000 fast, -1 all. */
    public int taskTopK() { return size == Size.TINY ? 512 : size == Size.FAST ? 5000 : -1; }

    /** topK of the pretraining loader: 500 tiny, 5000 fast, -1 all. */
    public int pretrainTopK() { return size == Size.TINY ? 500 : size == Size.FAST ? 5000 : -1; }
}
