package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images of one dataset: a few {@link FeatureStore}s (e.g. train2014 + val2014 first 5000) looked up by img_id. As
 * the original's merged {@code imgid2img} dict, a later store wins for an img_id present in several.
 */
public final class ImageFeatures implements AutoCloseable {
    private final List<FeatureStore> stores;

    public ImageFeatures(List<FeatureStore> stores) { this.stores = List.copyOf(stores); }

    /**
     * Opens the given (tsv, topK) pairs in order; full-file requests of a TSV first so views can share its store. A TSV
     * named in {@link DataOptions#stores} is served by that store instead (the TSV need not exist).
     */
    public static ImageFeatures open(DataOptions opt, List<Path> tsvs, List<Integer> topKs) throws IOException {
        FeatureStore[] out = new FeatureStore[tsvs.size()];
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < tsvs.size(); i++) {
                boolean full = topKs.get(i) <= 0;
                if ((pass == 0) != full) continue;
                Path given = opt.stores().get(tsvs.get(i).getFileName().toString());
                out[i] = given != null ? FeatureStore.openStore(given, topKs.get(i), opt.expectedDim())
                        : FeatureStore.open(tsvs.get(i), opt.cacheDir(), topKs.get(i), opt.expectedDim());
            }
        }
        return new ImageFeatures(List.of(out));
    }

    /** The store holding {@code imgId} (the last one that does), or null. */
    public FeatureStore storeOf(String imgId) {
        for (int i = stores.size() - 1; i >= 0; i--) if (stores.get(i).contains(imgId)) return stores.get(i);
        return null;
    }

    public boolean contains(String imgId) { return storeOf(imgId) != null; }

    public List<FeatureStore> stores() { return stores; }

    /** Feature dim shared by all stores; error if they differ. */
    public int featDim() {
        int d = 0;
        for (FeatureStore s : stores) {
            if (d != 0 && s.featDim() != d) throw new IllegalStateException("feature stores disagree on dim: " + stores);
            d = s.featDim();
        }
        return d;
    }

    /** Total images over all stores (counting duplicates). */
    public int size() {
        int n = 0;
        for (FeatureStore s : stores) n += s.size();
        return n;
    }

    @Override
    public void close() { for (FeatureStore s : stores) s.close(); }

    @Override
    public String toString() { return new ArrayList<>(stores).toString(); }
}
