package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


import com.fasterxml.jackson.databind.JsonNode;

/**
 * NLVR2 in the original layout ({@code NLVR2Dataset}+{@code NLVR2TorchDataset}): {@code nlvr2/<split>.json} and the
 * features {@code nlvr2_imgfeat/<train|valid|test>_obj36.tsv} (train if 'train' is a split, valid if 'valid' is,
 * test if the splits' name contains "test"); statements whose two images are not both present are dropped.
 */
public final class Nlvr2Dataset implements AutoCloseable {

    private final String name;
    private final List<Nlvr2Example> raw;
    private final List<Nlvr2Example> data;
    private final Map<String, Nlvr2Example> uid2datum;
    private final ImageFeatures features;
    private final List<Integer> sizes;

    private Nlvr2Dataset(String name, List<Nlvr2Example> raw, ImageFeatures features, List<Integer> sizes) {
        this.name = name;
        this.sizes = sizes;
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
        List<Nlvr2Example> raw = readSplits(root, splits);
        return new Nlvr2Dataset(splits, raw, null, List.of(raw.size()));
    }

    public static Nlvr2Dataset load(DataOptions opt, String splits) throws IOException {
        List<Nlvr2Example> raw = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (String s : splits.split(",")) {
            List<Nlvr2Example> one = readSplit(opt.root().resolve("nlvr2").resolve(s + ".json"));
            raw.addAll(one);
            sizes.add(one.size());
        }
        List<String> sp = List.of(splits.split(","));
        List<Path> tsvs = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        Path fdir = opt.root().resolve("nlvr2_imgfeat");
        if (sp.contains("train")) { tsvs.add(fdir.resolve("train_obj36.tsv")); ks.add(opt.taskTopK()); }
        if (sp.contains("valid")) { tsvs.add(fdir.resolve("valid_obj36.tsv")); ks.add(opt.taskTopK()); }
        if (splits.contains("test")) { tsvs.add(fdir.resolve("test_obj36.tsv")); ks.add(opt.taskTopK()); }
        return new Nlvr2Dataset(splits, raw, ImageFeatures.open(opt, tsvs, ks), sizes);
    }

    /**
     * One line per split of what loading kept and dropped: statements read, dropped because an image has no
     * features (unknown images), used, and how many of those are labelled (a partly labelled split says so: its
     * accuracy is over the labelled statements only).
     */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        if (features == null) return out;
        int at = 0;
        int si = 0;
        for (String s : name.split(",")) {
            int n = 0, noFeat = 0, labelled = 0;
            int size = sizes.get(si++);
            for (int end = at + size; at < end; at++) {
                Nlvr2Example e = raw.get(at);
                n++;
                if (!features.contains(e.img0()) || !features.contains(e.img1())) noFeat++;
                else if (e.label() != null) labelled++;
            }
            int used = n - noFeat;
            out.add("nlvr2 " + s + ": " + n + (n == 1 ? " statement, " : " statements, ")
                    + (noFeat == 0 ? "all with features of both images" : used + " used (" + noFeat + " dropped: no features of an image)")
                    + "; " + (labelled == used ? "all labelled" : labelled == 0 ? "unlabelled"
                    : "PARTLY LABELLED: " + labelled + " of " + used + " statements have labels (accuracy is over those "
                    + labelled + ")"));
        }
        return out;
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
