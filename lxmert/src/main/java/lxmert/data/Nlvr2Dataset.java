package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * NLVR2 in the original layout ({@code NLVR2Dataset}+{@code NLVR2TorchDataset}): {@code nlvr2/<split>.json} and the
 * features {@code nlvr2_imgfeat/<train|valid|test>_obj36.tsv} (train if 'train' is a split, valid if 'valid' is,
 * test if the splits' name contains "test"); statements whose two images are not both present are dropped.
 */
public final class Nlvr2Dataset implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Nlvr2Dataset.class);

    private final String name;
    private final List<Nlvr2Example> raw;
    private final List<Nlvr2Example> data;
    private final Map<String, Nlvr2Example> uid2datum;
    private final ImageFeatures features;

    private Nlvr2Dataset(String name, List<Nlvr2Example> raw, ImageFeatures features) {
        this.name = name;
        this.raw = Collections.unmodifiableList(raw);
        this.features = features;
        Map<String, Nlvr2Example> m = new LinkedHashMap<>();
        for (Nlvr2Example e : raw) m.put(e.uid(), e);
        this.uid2datum = Collections.unmodifiableMap(m);
        List<Nlvr2Example> used = new ArrayList<>();
        for (Nlvr2Example e : raw) {
            if (features == null || (features.contains(e.img0()) && features.contains(e.img1()))) used.add(e);
        }
        this.data = Collections.unmodifiableList(used);
    }

    public static Nlvr2Dataset loadStatements(Path root, String splits) throws IOException {
        return new Nlvr2Dataset(splits, readSplits(root, splits), null);
    }

    public static Nlvr2Dataset load(DataOptions opt, String splits) throws IOException {
        List<Nlvr2Example> raw = readSplits(opt.root(), splits);
        List<String> sp = List.of(splits.split(","));
        List<Path> tsvs = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        Path fdir = opt.root().resolve("nlvr2_imgfeat");
        if (sp.contains("train")) { tsvs.add(fdir.resolve("train_obj36.tsv")); ks.add(opt.taskTopK()); }
        if (sp.contains("valid")) { tsvs.add(fdir.resolve("valid_obj36.tsv")); ks.add(opt.taskTopK()); }
        if (splits.contains("test")) { tsvs.add(fdir.resolve("test_obj36.tsv")); ks.add(opt.taskTopK()); }
        Nlvr2Dataset d = new Nlvr2Dataset(splits, raw, ImageFeatures.open(opt, tsvs, ks));
        LOG.info("NLVR2 {}: {} statements, {} with both images' features, {} dropped", splits, raw.size(), d.data.size(), d.dropped());
        return d;
    }

    public static List<Nlvr2Example> readSplits(Path root, String splits) throws IOException {
        List<Nlvr2Example> out = new ArrayList<>();
        for (String s : splits.split(",")) out.addAll(readSplit(root.resolve("nlvr2").resolve(s + ".json")));
        return out;
    }

    public static List<Nlvr2Example> readSplit(Path file) throws IOException {
        JsonNode root = Json.array(file, Json.read(file), "top level");
        List<Nlvr2Example> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            String where = "index " + i;
            JsonNode d = Json.object(file, root.get(i), where);
            Integer label = null;
            JsonNode l = d.get("label");
            if (l != null && !l.isNull()) {
                if (!l.isIntegralNumber() || (l.intValue() != 0 && l.intValue() != 1)) {
                    throw new DataFormatException(file, where + ", key 'label'", "expected 0 or 1, found " + l);
                }
                label = l.intValue();
            }
            out.add(new Nlvr2Example(Json.text(file, d, "identifier", where), Json.text(file, d, "img0", where),
                    Json.text(file, d, "img1", where), label, Json.text(file, d, "sent", where), Json.text(file, d, "uid", where)));
        }
        return out;
    }

    public String name() { return name; }
    public List<Nlvr2Example> raw() { return raw; }
    public List<Nlvr2Example> data() { return data; }
    public int dropped() { return raw.size() - data.size(); }
    public Nlvr2Example get(String uid) { return uid2datum.get(uid); }
    public ImageFeatures features() { return features; }

    @Override
    public void close() { if (features != null) features.close(); }
}
