package lxmert.verify;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.model.Losses;
import lxmert.model.LxrtOutput;
import lxmert.model.QaModel;
import lxmert.train.TrainTask;
import lxmert.train.Trainer;
import lxmert.train.Grad;
import lxmert.util.NdArrays;
import lxmert.util.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs a reference fixture (laid out like {@code shared/fixtures/lxrt-small}, any config) through this
 * implementation and compares every output the original produced: embeddings, every layer, final streams
 * with and without a visual mask, all pretraining heads and the six losses, the VQA head and loss, and three
 * BertAdam steps (per-step loss, gradient norm, scheduled lr, parameters and logits after) taken by
 * {@link Trainer}, the step every training run takes.
 */
public final class ReferenceVerifier {
    public static final double ATOL = 1e-4;
    public static final double RTOL = 1e-4;

    /** One compared output: worst absolute difference and whether all elements are within tolerance. */
    public record Comparison(String name, double maxAbsDiff, boolean ok, String note) {}

    /** An output present in the fixture that was not compared, and why. */
    public record Skipped(String name, String reason) {}

    public record Report(List<Comparison> compared, List<Skipped> skipped, List<String> notes) {
        public boolean ok() {
            return !compared.isEmpty() && compared.stream().allMatch(Comparison::ok);
        }

        public double maxAbsDiff() {
            return compared.stream().mapToDouble(Comparison::maxAbsDiff).max().orElse(Double.NaN);
        }
    }

    private final Path dir;
    private final JsonNode manifest;
    private final LxmertConfig config;
    private final Map<String, Comparison> results = new TreeMap<>();
    private final Map<String, Skipped> skipped = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Consumer<String> log;

    public ReferenceVerifier(Path dir, Consumer<String> log) throws IOException {
        this.dir = dir;
        this.log = log;
        Path m = dir.resolve("manifest.json");
        if (!Files.isRegularFile(m)) throw new IOException(m + ": no manifest.json in the fixture directory");
        this.manifest = new ObjectMapper().readTree(m.toFile());
        this.config = configFrom(manifest, m);
    }

    public LxmertConfig config() {
        return config;
    }

    /** The model config described by a fixture manifest ({@code bert_config}, {@code visual_config}, {@code spec}). */
    public static LxmertConfig configFrom(JsonNode man, Path where) {
        JsonNode b = req(man, "bert_config", where);
        JsonNode v = req(man, "visual_config", where);
        JsonNode spec = req(man, "spec", where);
        JsonNode loss = v.path("visual_loss_config");
        int obj = loss.has("obj") ? loss.get("obj").get(0).asInt() : spec.path("obj").asInt(1600);
        int attr = loss.has("attr") ? loss.get("attr").get(0).asInt() : spec.path("attr").asInt(400);
        double norm = loss.has("obj") ? loss.get("obj").get(3).asDouble() : 1 / 0.15;
        return LxmertConfig.builder().vocabSize(req(b, "vocab_size", where).asInt())
                .hiddenSize(req(b, "hidden_size", where).asInt())
                .numAttentionHeads(req(b, "num_attention_heads", where).asInt())
                .intermediateSize(req(b, "intermediate_size", where).asInt()).hiddenAct(b.path("hidden_act").asText("gelu"))
                .hiddenDropoutProb(b.path("hidden_dropout_prob").asDouble(0.1))
                .attentionProbsDropoutProb(b.path("attention_probs_dropout_prob").asDouble(0.1))
                .maxPositionEmbeddings(req(b, "max_position_embeddings", where).asInt())
                .typeVocabSize(b.path("type_vocab_size").asInt(2)).initializerRange(b.path("initializer_range").asDouble(0.02))
                .layerNormEps(1e-12).lLayers(req(v, "l_layers", where).asInt()).xLayers(req(v, "x_layers", where).asInt())
                .rLayers(req(v, "r_layers", where).asInt()).visualFeatDim(req(v, "visual_feat_dim", where).asInt())
                .visualPosDim(v.path("visual_pos_dim").asInt(4)).numObjectLabels(obj).numAttrLabels(attr)
                .numQaLabels(req(spec, "n_ans_pre", where).asInt()).visualLossNormalizer(norm).build();
    }

    private static JsonNode req(JsonNode n, String key, Path where) {
        JsonNode x = n.get(key);
        if (x == null || x.isNull()) throw new IllegalArgumentException(where + ": missing key \"" + key + "\"");
        return x;
    }

    private boolean has(String name) {
        return Files.isRegularFile(dir.resolve(name + ".npy"));
    }

    private Npy.Array npy(String name) throws IOException {
        return Npy.read(dir.resolve(name + ".npy"));
    }

    private NDArray input(NDManager m, String name) throws IOException {
        Npy.Array a = npy(name);
        Shape s = new Shape(a.shape());
        String d = a.descr();
        if (d.contains("i") || d.contains("u") || d.contains("b")) return NdArrays.longs(m, a.toLongArray(), s);
        return NdArrays.floats(m, a.toFloatArray(), s);
    }

    private void compare(String name, NDArray got) throws IOException {
        compare(name, got.toType(DataType.FLOAT32, false).toFloatArray(), got.getShape().getShape());
    }

    private void compare(String name, float[] got, long[] gotShape) throws IOException {
        if (!has(name)) return;
        Npy.Array a = npy(name);
        float[] exp = a.toFloatArray();
        if (exp.length != got.length) {
            put(new Comparison(name, Double.POSITIVE_INFINITY, false, "shape " + java.util.Arrays.toString(gotShape)
                    + " vs expected " + java.util.Arrays.toString(a.shape())));
            return;
        }
        double worst = 0;
        boolean ok = true;
        for (int i = 0; i < exp.length; i++) {
            double d = Math.abs((double) exp[i] - got[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
            if (d > ATOL + RTOL * Math.abs(exp[i])) ok = false;
        }
        put(new Comparison(name, worst, ok, null));
    }

    private void compareScalar(String name, double expected, double got) {
        double d = Math.abs(expected - got);
        put(new Comparison(name, d, d <= ATOL + RTOL * Math.abs(expected), null));
    }

    private void put(Comparison c) {
        Comparison prev = results.get(c.name());
        if (prev == null || c.maxAbsDiff() > prev.maxAbsDiff() || !c.ok()) {
            results.put(c.name(), new Comparison(c.name(), Math.max(c.maxAbsDiff(), prev == null ? 0 : prev.maxAbsDiff()),
                    c.ok() && (prev == null || prev.ok()), c.note() != null ? c.note() : prev == null ? null : prev.note()));
        }
    }

    /** Runs everything with every checkpoint file of the fixture and returns the report. */
    public Report run(Device device) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String f : new String[] {"model_LXRT.pth", "model_zip_LXRT.pth"}) {
            if (Files.isRegularFile(dir.resolve(f))) files.add(dir.resolve(f));
        }
        if (files.isEmpty()) throw new IOException(dir + ": neither model_LXRT.pth nor model_zip_LXRT.pth is present");
        for (Path f : files) runWith(f, device);
        // name every out_* file that no check produced
        try (var s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("out_") && n.endsWith(".npy")).sorted()
                    .map(n -> n.substring(0, n.length() - 4))
                    .filter(n -> !results.containsKey(n) && !skipped.containsKey(n))
                    .forEach(n -> skipped.put(n, new Skipped(n, n.equals("out_mlm_positions")
                            ? "positions (an input of out_mlm_logits_pos), not a model output"
                            : "no known producer for this output name")));
        }
        return new Report(new ArrayList<>(results.values()), new ArrayList<>(skipped.values()), notes);
    }

    private void runWith(Path file, Device device) throws IOException {
        Map<String, Tensor> ckpt = KeyMaps.toCanonical(TorchReader.read(file));
        notes.add(file.getFileName() + ": " + ckpt.size() + " tensors");
        try (NDManager root = NDManager.newBaseManager(device)) {
            pretraining(root, ckpt, file);
            vqa(root, ckpt, file);
        }
    }

    private void pretraining(NDManager root, Map<String, Tensor> ckpt, Path file) throws IOException {
        LxmertPretraining model = LxmertPretraining.create(root, config, 0);
        LoadReport rep = ModelWeights.load(model.namedParameters(), ckpt, k -> false);
        if (!rep.isClean()) throw new IllegalStateException(file + ": does not match the fixture config:\n" + rep);
        model.setTraining(false);
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            NDArray ids = input(m, "in_input_ids");
            NDArray seg = has("in_segment_ids") ? input(m, "in_segment_ids") : null;
            NDArray mask = has("in_input_mask") ? input(m, "in_input_mask") : null;
            NDArray feats = input(m, "in_feats");
            NDArray boxes = input(m, "in_boxes");
            LxrtOutput.Trace t = new LxrtOutput.Trace(false);
            LxmertPretraining.Outputs o = model.forward(ids, seg, mask, feats, boxes, null, t);
            compare("out_embedding", t.embedding);
            compare("out_visn_fc", t.visnFc);
            for (int i = 0; i < t.langLayers.size(); i++) compare("out_l_layer" + i, t.langLayers.get(i));
            for (int i = 0; i < t.visnLayers.size(); i++) compare("out_r_layer" + i, t.visnLayers.get(i));
            for (int i = 0; i < t.crossLangLayers.size(); i++) {
                compare("out_x_layer" + i + "_lang", t.crossLangLayers.get(i));
                compare("out_x_layer" + i + "_visn", t.crossVisnLayers.get(i));
            }
            compare("out_lang", o.lxrt().lang());
            compare("out_visn", o.lxrt().visn());
            compare("out_pooled", o.lxrt().pooled());
            compare("out_mlm_logits", o.mlmLogits());
            if (has("out_mlm_logits_pos") && has("out_mlm_positions")) {
                NDArray pos = input(m, "out_mlm_positions");
                compare("out_mlm_logits_pos", o.mlmLogits().get(new NDIndex(":, {}, :", pos)));
            }
            compare("out_match_score", o.matchScore());
            compare("out_obj_predict_obj", o.objLogits());
            compare("out_obj_predict_attr", o.attrLogits());
            compare("out_obj_predict_feat", o.featPred());
            compare("out_pretrain_answer", o.answerLogits());
            if (has("out_pretrain_losses") || has("out_pretrain_total_loss")) {
                LxmertPretraining.Targets tg = new LxmertPretraining.Targets(opt(m, "in_masked_lm_labels"),
                        opt(m, "in_matched_label"), opt(m, "in_obj_labels"), opt(m, "in_obj_confs"),
                        opt(m, "in_attr_labels"), opt(m, "in_attr_confs"), feats, opt(m, "in_feat_mask"), opt(m, "in_ans"));
                NDArray[] l = model.losses(o, tg);
                compare("out_pretrain_total_loss", l[0].reshape(1));
                compare("out_pretrain_losses", NDArrays.stack(new NDList(java.util.Arrays.copyOfRange(l, 1, 7))).reshape(1, 6));
            }
            if (has("in_visual_attention_mask")) {
                NDArray vm = input(m, "in_visual_attention_mask");
                LxrtOutput ov = model.bert().forward(ids, seg, mask, feats, boxes, vm, null);
                compare("out_lang_vmask", ov.lang());
                compare("out_visn_vmask", ov.visn());
                compare("out_pooled_vmask", ov.pooled());
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private NDArray opt(NDManager m, String name) throws IOException {
        return has(name) ? input(m, name) : null;
    }

    private void vqa(NDManager root, Map<String, Tensor> ckpt, Path file) throws IOException {
        List<String> vqaOutputs = List.of("out_vqa_pooled", "out_vqa_logits", "out_vqa_loss", "out_train_logits_after",
                "out_train_logit_fc3_weight_after", "out_train_word_emb_rows_after");
        Path head = dir.resolve("vqa_logit_fc.pth");
        if (!Files.isRegularFile(head)) {
            for (String n : vqaOutputs) {
                if (has(n)) skipped.put(n, new Skipped(n, "vqa_logit_fc.pth is absent: no VQA head weights to run"));
            }
            return;
        }
        Map<String, Tensor> headT = KeyMaps.toCanonical(TorchReader.read(head));
        int numAns = (int) headT.get("logit_fc.3.bias").shape()[0];
        QaModel model = QaModel.create(root, config, numAns, 0);
        Map<String, Tensor> all = new LinkedHashMap<>();
        ckpt.forEach((k, v) -> { if (k.startsWith("bert.")) all.put(k, v); });
        all.putAll(headT);
        LoadReport rep = ModelWeights.load(model.namedParameters(), all, k -> false);
        if (!rep.isClean()) throw new IllegalStateException(file + " + " + head + ": do not fit the VQA model:\n" + rep);
        model.setTraining(false);
        Map<String, NDArray> params = model.namedParameters();
        try (NDManager m = root.newSubManager()) {
            NDArray ids = input(m, "in_input_ids");
            NDArray seg = opt(m, "in_segment_ids");
            NDArray mask = opt(m, "in_input_mask");
            NDArray feats = input(m, "in_feats");
            NDArray boxes = input(m, "in_boxes");
            NDArray target = opt(m, "in_vqa_target");
            try (AutoCloseable ng = Grad.noGrad()) {
                compare("out_vqa_pooled", model.bert().forward(ids, seg, mask, feats, boxes, null, null).pooled());
                NDArray logits = model.forward(ids, seg, mask, feats, boxes, null);
                compare("out_vqa_logits", logits);
                if (target != null) compare("out_vqa_loss", lxmert.model.Ops.mul(Losses.bceWithLogits(logits, target), numAns).reshape(1));
            }
            JsonNode tf = manifest.get("train_fixture");
            if (tf == null || target == null) {
                for (String n : vqaOutputs.subList(3, 6)) {
                    if (has(n)) skipped.put(n, new Skipped(n, "manifest has no train_fixture or in_vqa_target is absent"));
                }
                return;
            }
            int steps = tf.path("steps").asInt(3);
            double clip = tf.path("clip").asDouble(5.0);
            JsonNode record = tf.path("record");
            // the fixed batch through THE training step that fine-tuning and pretraining run
            TrainTask<NDArray[], NDArray[]> task = new TrainTask<>() {
                @Override public NDArray[] toDevice(NDManager unused, NDArray[] b) { return b; }
                @Override public Output forward(NDArray[] b) {
                    return Output.of(lxmert.model.Ops.mul(Losses.bceWithLogits(model.forward(b[0], b[1], b[2], b[3], b[4], null), b[5]), numAns));
                }
                @Override public int examples(NDArray[] b) { return (int) b[0].getShape().get(0); }
            };
            Trainer.Options to = new Trainer.Options(tf.get("lr").asDouble(), tf.get("warmup").asDouble(), tf.get("t_total").asLong(),
                    clip, 0, null);
            NDArray[] batch = {ids, seg, mask, feats, boxes, target};
            try (Trainer<NDArray[], NDArray[]> trainer = new Trainer<>(root, model, model.bert().paddingRowParameters(), task, to)) {
                for (int s = 0; s < steps; s++) {
                    trainer.accumulateGradients(batch);
                    trainer.applyUpdate();
                    JsonNode r = record.path(s);
                    if (!r.isMissingNode()) {
                        compareScalar("train_step" + s + "_loss", r.get("loss").asDouble(), trainer.lastUpdateLoss().getFloat());
                        compareScalar("train_step" + s + "_grad_norm", r.get("grad_norm_before_clip").asDouble(),
                                trainer.lastGradNorm().getFloat());
                        compareScalar("train_step" + s + "_lr", r.get("lr_scheduled").asDouble(), trainer.lastLr());
                    }
                }
            }
            try (AutoCloseable ng = Grad.noGrad()) {
                compare("out_train_logits_after", model.forward(ids, seg, mask, feats, boxes, null));
                compare("out_train_logit_fc3_weight_after", params.get("logit_fc.3.weight"));
                if (has("out_train_word_emb_rows_after")) {
                    long rows = npy("out_train_word_emb_rows_after").shape()[0];
                    compare("out_train_word_emb_rows_after", params.get("bert.embeddings.word_embeddings.weight").get("0:" + rows));
                }
                JsonNode sums = tf.path("param_sums_after");
                double worst = 0;
                boolean ok = true;
                int n = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = sums.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String key = KeyMaps.toCanonical(e.getKey(), KeyMaps.Layout.ORIGINAL_TASK);
                    NDArray p = params.get(key);
                    if (p == null) {
                        notes.add("param_sums_after: no parameter " + e.getKey());
                        ok = false;
                        continue;
                    }
                    double sum = p.toType(DataType.FLOAT64, false).sum().getDouble();
                    double abs = p.toType(DataType.FLOAT64, false).abs().sum().getDouble();
                    double es = e.getValue().get(0).asDouble();
                    double ea = e.getValue().get(1).asDouble();
                    // a sum over many elements: scale the tolerance by the sum of magnitudes
                    double d = Math.max(Math.abs(sum - es), Math.abs(abs - ea)) / Math.max(1, ea);
                    worst = Math.max(worst, d);
                    if (d > RTOL) ok = false;
                    n++;
                }
                if (n > 0) put(new Comparison("train_param_sums_after", worst, ok,
                        "sum and sum|.| of " + n + " parameters, difference divided by max(1, sum|.|)"));
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
