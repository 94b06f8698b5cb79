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
 * The pretraining corpus in the original layout ({@code LXMERTDataset}+{@code LXMERTTorchDataset}): sources
 * {@code lxmert/<mscoco_train|mscoco_nominival|mscoco_minival|vgnococo>.json} with records
 * {@code {img_id, sentf: {source: [sent]}, labelf: {source: [{ans: score}]}}}; every label answer is passed through
 * {@link AnswerTable#convertAns} and dropped if not in the (optionally {@code --qaSets}-filtered) table; images come
 * from the source's TSV (COCO train2014 / val2014, VG vg_gqa) with topK 500 (tiny) / 5000 (fast); data whose image has
 * no features are dropped; the rest is flattened to one (sentence, image) example each.
 */
public final class PretrainDataset implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PretrainDataset.class);

    /** Source -> feature TSV relative to the data root ({@code lxmert_data.py Split2ImgFeatPath}). */
    public static final Map<String, String> SOURCE2TSV = Map.of(
            "mscoco_train", "mscoco_imgfeat/train2014_obj36.tsv",
            "mscoco_minival", "mscoco_imgfeat/val2014_obj36.tsv",
            "mscoco_nominival", "mscoco_imgfeat/val2014_obj36.tsv",
            "vgnococo", "vg_gqa_imgfeat/vg_gqa_obj36.tsv");

    /** A raw record after answer conversion. */
    public record Datum(String imgId, Map<String, List<String>> sentf, Map<String, List<Map<String, Double>>> labelf) {}

    private final List<String> sources;
    private final AnswerTable answerTable;
    private final List<Datum> raw;
    private final List<PretrainExample> data;
    private final ImageFeatures features;
    private final int droppedData;

    private PretrainDataset(List<String> sources, AnswerTable table, List<Datum> raw, ImageFeatures features) {
        this.sources = sources;
        this.answerTable = table;
        this.raw = Collections.unmodifiableList(raw);
        this.features = features;
        List<PretrainExample> flat = new ArrayList<>();
        int dropped = 0;
        for (Datum d : raw) {
            if (features != null && !features.contains(d.imgId())) { dropped++; continue; }
            flat.addAll(flatten(d));
        }
        this.droppedData = dropped;
        this.data = Collections.unmodifiableList(flat);
    }

    /** Flattens one datum: every (source, sentence) with its label when the source is labelled. */
    public static List<PretrainExample> flatten(Datum d) {
        List<PretrainExample> out = new ArrayList<>();
        for (var e : d.sentf().entrySet()) {
            List<Map<String, Double>> labels = d.labelf().get(e.getKey());
            List<String> sents = e.getValue();
            for (int i = 0; i < sents.size(); i++) {
                out.add(new PretrainExample(PretrainExample.makeUid(d.imgId(), e.getKey(), i), d.imgId(), sents.get(i),
                        labels == null ? null : labels.get(i), e.getKey()));
            }
        }
        return out;
    }

    /** Records and answer table only. */
    public static PretrainDataset loadRecords(Path root, String sources, List<String> qaSets) throws IOException {
        AnswerTable t = AnswerTable.load(root.resolve("lxmert/all_ans.json"), qaSets);
        return new PretrainDataset(List.of(sources.split(",")), t, readSources(root, sources, t), null);
    }

    public static PretrainDataset load(DataOptions opt, String sources, List<String> qaSets) throws IOException {
        AnswerTable t = AnswerTable.load(opt.root().resolve("lxmert/all_ans.json"), qaSets);
        List<String> src = List.of(sources.split(","));
        List<Datum> raw = readSources(opt.root(), sources, t);
        List<Path> tsvs = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        for (String s : src) {
            String rel = SOURCE2TSV.get(s);
            if (rel == null) throw new IllegalArgumentException("unknown pretraining source '" + s + "', expected one of " + SOURCE2TSV.keySet());
            tsvs.add(opt.root().resolve(rel));
            ks.add(opt.pretrainTopK());
        }
        PretrainDataset d = new PretrainDataset(src, t, raw, ImageFeatures.open(opt, tsvs, ks));
        LOG.info("pretraining {}: {} records, {} dropped (no features), {} (sentence, image) examples; answer table {}",
                sources, raw.size(), d.droppedData, d.data.size(), t.size());
        return d;
    }

    public static List<Datum> readSources(Path root, String sources, AnswerTable table) throws IOException {
        List<Datum> out = new ArrayList<>();
        for (String s : sources.split(",")) out.addAll(readSource(root.resolve("lxmert").resolve(s + ".json"), table));
        return out;
    }

    /** Reads one source file, converting label answers through the table as the original LXMERTDataset does. */
    public static List<Datum> readSource(Path file, AnswerTable table) throws IOException {
        JsonNode root = Json.array(file, Json.read(file), "top level");
        List<Datum> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            String where = "index " + i;
            JsonNode d = Json.object(file, root.get(i), where);
            String img = Json.text(file, d, "img_id", where);
            JsonNode sf = Json.object(file, Json.get(file, d, "sentf", where), where + ", key 'sentf'");
            JsonNode lf = Json.object(file, Json.get(file, d, "labelf", where), where + ", key 'labelf'");
            Map<String, List<String>> sentf = new LinkedHashMap<>();
            var it = sf.fields();
            while (it.hasNext()) {
                var e = it.next();
                String w = where + ", sentf['" + e.getKey() + "']";
                Json.array(file, e.getValue(), w);
                List<String> sents = new ArrayList<>();
                for (int k = 0; k < e.getValue().size(); k++) {
                    JsonNode s = e.getValue().get(k);
                    if (!s.isTextual()) throw new DataFormatException(file, w + "[" + k + "]", "expected a string, found " + s);
                    sents.add(s.textValue());
                }
                sentf.put(e.getKey(), sents);
            }
            Map<String, List<Map<String, Double>>> labelf = new LinkedHashMap<>();
            var lt = lf.fields();
            while (lt.hasNext()) {
                var e = lt.next();
                String w = where + ", labelf['" + e.getKey() + "']";
                Json.array(file, e.getValue(), w);
                List<Map<String, Double>> labels = new ArrayList<>();
                for (int k = 0; k < e.getValue().size(); k++) {
                    JsonNode l = Json.object(file, e.getValue().get(k), w + "[" + k + "]");
                    Map<String, Double> m = new LinkedHashMap<>();
                    var at = l.fields();
                    while (at.hasNext()) {
                        var a = at.next();
                        if (!a.getValue().isNumber()) throw new DataFormatException(file, w + "[" + k + "]['" + a.getKey() + "']", "expected a number, found " + a.getValue());
                        m.put(a.getKey(), a.getValue().doubleValue());
                    }
                    labels.add(convertLabel(m, table));
                }
                List<String> sents = sentf.get(e.getKey());
                if (sents != null && labels.size() < sents.size()) {
                    throw new DataFormatException(file, w, "has " + labels.size() + " labels for " + sents.size() + " sentences");
                }
                labelf.put(e.getKey(), labels);
            }
            out.add(new Datum(img, sentf, labelf));
        }
        return out;
    }

    /**
     * The original's in-place loop over {@code list(label.keys())}: a converted answer in the table replaces the
     * original key ({@code label[new] = label.pop(ans)}, so it moves to the end / overwrites), others are removed.
     */
    public static Map<String, Double> convertLabel(Map<String, Double> label, AnswerTable table) {
        Map<String, Double> m = new LinkedHashMap<>(label);
        for (String ans : new ArrayList<>(label.keySet())) {
            String na = AnswerTable.convertAns(ans);
            if (table.used(na)) {
                if (!ans.equals(na)) {
                    Double v = m.remove(ans);
                    m.put(na, v);
                }
            } else {
                m.remove(ans);
            }
        }
        return m;
    }

    public List<String> sources() { return sources; }
    public AnswerTable answerTable() { return answerTable; }
    public List<Datum> raw() { return raw; }
    public List<PretrainExample> data() { return data; }
    /** Records dropped because their image has no features. */
    public int dropped() { return droppedData; }
    public ImageFeatures features() { return features; }

    @Override
    public void close() { if (features != null) features.close(); }
}
