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
import lxmert.model.LxrtOutput;
import lxmert.tasks.FinetuneTask;
import lxmert.tasks.HostBatch;
import lxmert.tasks.Task;
import lxmert.tasks.TaskNet;
import lxmert.tasks.pretrain.PretrainBatch;
import lxmert.tasks.pretrain.PretrainLoss;
import lxmert.tasks.pretrain.PretrainTask;
import lxmert.tasks.pretrain.PretrainTasks;
import lxmert.train.Grad;
import lxmert.train.RunningSums;
import lxmert.train.TrainTask;
import lxmert.train.Trainer;
import lxmert.util.NdArrays;
import lxmert.util.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs a reference fixture (laid out like {@code shared/fixtures/lxrt-small}, any config) through this
 * implementation and compares every output the original produced: embeddings, every layer, final streams
 * with and without a visual mask, all pretraining heads and the six losses, the VQA head and loss, and the BertAdam
 * steps of both training records ({@code train_fixture}: VQA fine-tuning through {@link FinetuneTask} over the task
 * net; {@code pretrain_train_fixture}: the pretraining step through {@link PretrainTask}) taken by {@link Trainer},
 * the step every training run takes.
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
        // a missing fixture is bad input (exit status 2 in the CLI), said in one line
        if (!Files.isDirectory(dir)) throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no such fixture directory");
        if (!Files.isRegularFile(m)) throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no manifest.json in the fixture directory");
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
            double d = Float.isNaN(exp[i]) && Float.isNaN(got[i]) ? 0 : Math.abs((double) exp[i] - got[i]); // torch's NaN losses
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
            if (d > ATOL + RTOL * Math.abs(exp[i])) ok = false;
        }
        put(new Comparison(name, worst, ok, null));
    }

    private void compareScalar(String name, double expected, double got) {
        compare(name, new float[] {(float) expected}, new float[] {(float) got});
    }

    /** Expected values given in the manifest (not an .npy) against {@code got}, element by element. */
    private void compare(String name, float[] expected, float[] got) {
        double worst = 0;
        boolean ok = expected.length == got.length;
        for (int i = 0; ok && i < expected.length; i++) {
            double d = Float.isNaN(expected[i]) && Float.isNaN(got[i]) ? 0 : Math.abs((double) expected[i] - got[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
            if (d > ATOL + RTOL * Math.abs(expected[i])) ok = false;
        }
        put(new Comparison(name, ok || expected.length == got.length ? worst : Double.POSITIVE_INFINITY, ok,
                expected.length == got.length ? null : got.length + " values vs expected " + expected.length));
    }

    /** A sum of magnitudes, compared relative to itself: |got - expected| / |expected| within RTOL (absolute when 0). */
    private void compareSum(String name, double expected, double got) {
        double d = Math.abs(got - expected) / (expected == 0 ? 1 : Math.abs(expected));
        if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
        put(new Comparison(name, d, d <= RTOL, "relative difference"));
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
        if (files.isEmpty()) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "neither model_LXRT.pth nor model_zip_LXRT.pth is present");
        }
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
            pretrainTrain(root, ckpt, file);
            vqa(root, ckpt, file);
        }
    }

    private LxmertPretraining pretrainingModel(NDManager root, Map<String, Tensor> ckpt, Path file) {
        LxmertPretraining model = LxmertPretraining.create(root, config, 0);
        LoadReport rep = ModelWeights.load(model.namedParameters(), ckpt, k -> false);
        if (!rep.isClean()) throw new IllegalStateException(file + ": does not match the fixture config:\n" + rep);
        model.setTraining(false);
        return model;
    }

    private void pretraining(NDManager root, Map<String, Tensor> ckpt, Path file) throws IOException {
        LxmertPretraining model = pretrainingModel(root, ckpt, file);
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
                NDArray[] l = pretrainLosses(m, o, pretrainBatch());
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

    /** The six losses {total, six} of {@code o} (the original's full forward) on the fixture batch, torch's NaN kept. */
    private NDArray[] pretrainLosses(NDManager m, LxmertPretraining.Outputs o, PretrainBatch b) {
        return new PretrainLoss(config, pretrainTasks()).means(o, b.toArrays(m).targets(), PretrainLoss.counts(b), true);
    }

    /**
     * The pretraining tasks of the fixture: those whose targets are given (in_masked_lm_labels, in_matched_label,
     * in_ans), and of the manifest's {@code visual_config.visual_losses} (all three when absent) those whose labels are.
     */
    private PretrainTasks pretrainTasks() {
        Set<String> visual = new LinkedHashSet<>();
        JsonNode vl = manifest.path("visual_config").path("visual_losses");
        for (String v : PretrainTasks.VISUAL_LOSSES) {
            boolean asked = vl.isMissingNode() || java.util.stream.StreamSupport.stream(vl.spliterator(), false).anyMatch(x -> x.asText().equals(v));
            boolean given = switch (v) {
                case "obj" -> has("in_obj_labels") && has("in_obj_confs");
                case "attr" -> has("in_attr_labels") && has("in_attr_confs");
                default -> has("in_feat_mask");
            };
            if (asked && given) visual.add(v);
        }
        return new PretrainTasks(has("in_masked_lm_labels"), !visual.isEmpty(), has("in_matched_label"), has("in_ans"), visual, 0.15, 0.15);
    }

    /**
     * The fixture's inputs as the host batch pretraining trains on (sizes from the arrays): ids, mask (ones when
     * absent), segments (zeros), MLM labels, features (also the feat target), boxes, object / attribute labels and
     * confidences, feat mask, matched label, answer; an absent label array is all -1 (ignored). No visual mask, as
     * the original's {@code train_batch}.
     */
    private PretrainBatch pretrainBatch() throws IOException {
        Npy.Array ids = npy("in_input_ids"), feats = npy("in_feats");
        int b = (int) ids.shape()[0], l = (int) ids.shape()[1];
        int n = (int) feats.shape()[1], d = (int) feats.shape()[2];
        PretrainBatch pb = new PretrainBatch(b, l, n, d);
        pb.size = b;
        copy(ids, pb.inputIds);
        fill("in_input_mask", pb.inputMask, 1);
        fill("in_segment_ids", pb.segmentIds, 0);
        fill("in_masked_lm_labels", pb.lmLabels, -1);
        float[] f = feats.toFloatArray();
        System.arraycopy(f, 0, pb.feats, 0, f.length);
        System.arraycopy(f, 0, pb.origFeats, 0, f.length);
        float[] bx = npy("in_boxes").toFloatArray();
        System.arraycopy(bx, 0, pb.boxCoords, 0, bx.length);
        fill("in_obj_labels", pb.objLabels, -1);
        fill("in_attr_labels", pb.attrLabels, -1);
        fill("in_obj_confs", pb.objConfs);
        fill("in_attr_confs", pb.attrConfs);
        fill("in_feat_mask", pb.featMask);
        fill("in_matched_label", pb.matched, -1);
        fill("in_ans", pb.qaLabel, -1);
        java.util.Arrays.fill(pb.visualMask, 1f);
        for (int i = 0; i < b; i++) pb.indices[i] = i;
        return pb;
    }

    private static void copy(Npy.Array a, long[] to) {
        long[] v = a.toLongArray();
        if (v.length != to.length) throw new IllegalArgumentException(a + ": " + v.length + " values where the batch has " + to.length);
        System.arraycopy(v, 0, to, 0, v.length);
    }

    /** {@code to} = the array {@code name}, or {@code absent} everywhere when the fixture has none. */
    private void fill(String name, long[] to, long absent) throws IOException {
        if (!has(name)) {
            java.util.Arrays.fill(to, absent);
            return;
        }
        long[] v = npy(name).toLongArray();
        if (v.length != to.length) throw new IllegalArgumentException(dir.resolve(name + ".npy") + ": " + v.length + " values, expected " + to.length);
        System.arraycopy(v, 0, to, 0, v.length);
    }

    /** {@code to} = the array {@code name}, or zeros when the fixture has none. */
    private void fill(String name, float[] to) throws IOException {
        if (!has(name)) return;
        float[] v = npy(name).toFloatArray();
        if (v.length != to.length) throw new IllegalArgumentException(dir.resolve(name + ".npy") + ": " + v.length + " values, expected " + to.length);
        System.arraycopy(v, 0, to, 0, v.length);
    }

    /**
     * {@code pretrain_train_fixture}: the original's {@code train_batch} steps on the fixture batch (eval mode, BertAdam,
     * clip), run through {@link PretrainTask} and THE {@link Trainer} as pretraining runs them; per step the loss, the
     * six losses, the gradient norm before clipping, the abs-sum of word-embedding row 0's gradient (the padding row:
     * no gradient from the lookup, only from the tied MLM decoder) and the scheduled lr as far as the record has them;
     * then the losses, parameters and parameter sums after.
     */
    private void pretrainTrain(NDManager root, Map<String, Tensor> ckpt, Path file) throws IOException {
        List<String> outputs = List.of("out_pretrain_train_losses_after", "out_pretrain_train_word_emb_rows_after",
                "out_pretrain_train_mlm_bias_after", "out_pretrain_train_visn_fc_weight_after");
        JsonNode pf = manifest.get("pretrain_train_fixture");
        if (pf == null) {
            for (String n : outputs) if (has(n)) skipped.put(n, new Skipped(n, "manifest has no pretrain_train_fixture"));
            return;
        }
        Path where = dir.resolve("manifest.json");
        LxmertPretraining model = pretrainingModel(root, ckpt, file);
        PretrainBatch pb = pretrainBatch();
        long[] ans = java.util.Arrays.copyOf(pb.qaLabel, pb.size);
        float[] one = new float[pb.size];
        boolean[] labelled = new boolean[pb.size];
        for (int i = 0; i < pb.size; i++) {
            one[i] = 1;
            labelled[i] = ans[i] >= 0;
        }
        PretrainTask.Host host = new PretrainTask.Host(pb, ans, one, 1, labelled);
        Trainer.Options to = new Trainer.Options(req(pf, "lr", where).asDouble(), req(pf, "warmup", where).asDouble(),
                req(pf, "t_total", where).asLong(), req(pf, "clip", where).asDouble(), null);
        String word = "bert.embeddings.word_embeddings.weight";
        double[] row0 = {Double.NaN};
        JsonNode record = pf.path("record");
        try (Trainer<PretrainTask.Host, PretrainTask.OnDevice> trainer = new Trainer<>(root, model, new PretrainTask(model, pretrainTasks()), to)) {
            trainer.observeGradients(p -> {
                try (NDManager tmp = root.newSubManager()) {
                    NDArray g = p.get(word).getGradient();
                    g.attach(tmp); // the handle only
                    row0[0] = g.get(0).toType(DataType.FLOAT64, false).abs().sum().getDouble();
                }
            });
            for (int s = 0; s < req(pf, "steps", where).asInt(); s++) {
                trainer.sums().reset();
                trainer.step(List.of(host));
                JsonNode r = record.path(s);
                if (r.isMissingNode()) continue;
                RunningSums.Values v = trainer.sums().read();
                String at = "pretrain_train_step" + s + "_";
                if (r.has("loss")) compareScalar(at + "loss", r.get("loss").asDouble(), trainer.lastUpdateLoss().getFloat());
                if (r.has("losses")) {
                    float[] want = new float[r.get("losses").size()];
                    for (int i = 0; i < want.length; i++) want[i] = (float) r.get("losses").get(i).asDouble();
                    float[] got = new float[LxmertPretraining.LOSS_NAMES.length];
                    for (int i = 0; i < got.length; i++) got[i] = (float) v.mean(LxmertPretraining.LOSS_NAMES[i]);
                    compare(at + "losses", want, got);
                }
                if (r.has("grad_norm_before_clip")) {
                    compareScalar(at + "grad_norm", r.get("grad_norm_before_clip").asDouble(), trainer.lastGradNorm().getFloat());
                }
                if (r.has("word_emb_row0_grad_abs_sum")) {
                    compareSum(at + "word_emb_row0_grad_abs_sum", r.get("word_emb_row0_grad_abs_sum").asDouble(), row0[0]);
                }
                if (r.has("lr_scheduled")) compareScalar(at + "lr", r.get("lr_scheduled").asDouble(), trainer.lastLr());
            }
        }
        Map<String, NDArray> state = model.stateDict();
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            if (has("out_pretrain_train_losses_after")) {
                PretrainBatch.Arrays a = pb.toArrays(m);
                LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(), null, null);
                NDArray[] l = pretrainLosses(m, o, pb);
                compare("out_pretrain_train_losses_after", NDArrays.stack(new NDList(java.util.Arrays.copyOfRange(l, 1, 7))).reshape(1, 6));
            }
            compareRows("out_pretrain_train_word_emb_rows_after", state.get(word));
            compare("out_pretrain_train_mlm_bias_after", state.get("cls.predictions.bias"));
            compare("out_pretrain_train_visn_fc_weight_after", state.get("bert.encoder.visn_fc.visn_fc.weight"));
            paramSums("pretrain_train_param_sums_after", pf.path("param_sums_after"), k -> state.get(k));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first rows of {@code table}, as many as the fixture's array {@code name} has. */
    private void compareRows(String name, NDArray table) throws IOException {
        if (!has(name)) return;
        long rows = npy(name).shape()[0];
        compare(name, table.get("0:" + rows));
    }

    /**
     * {@code [sum, sum|.|]} of each parameter named in {@code sums} (a sum over many elements: the difference divided
     * by max(1, sum|.|) within RTOL) as one comparison {@code name}; a key {@code lookup} does not know fails.
     */
    private void paramSums(String name, JsonNode sums, java.util.function.Function<String, NDArray> lookup) {
        double worst = 0;
        boolean ok = true;
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = sums.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            NDArray p = lookup.apply(e.getKey());
            if (p == null) {
                notes.add(name + ": no parameter " + e.getKey());
                ok = false;
                continue;
            }
            double sum = p.toType(DataType.FLOAT64, false).sum().getDouble();
            double abs = p.toType(DataType.FLOAT64, false).abs().sum().getDouble();
            double es = e.getValue().get(0).asDouble();
            double ea = e.getValue().get(1).asDouble();
            double d = Math.max(Math.abs(sum - es), Math.abs(abs - ea)) / Math.max(1, ea);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
            if (d > RTOL) ok = false;
            n++;
        }
        if (n > 0 || !ok) put(new Comparison(name, worst, ok, "sum and sum|.| of " + n + " parameters, difference divided by max(1, sum|.|)"));
    }

    private NDArray opt(NDManager m, String name) throws IOException {
        return has(name) ? input(m, name) : null;
    }

    /**
     * The fixture's inputs as fine-tuning's host batch of a VQA task with {@code numAnswers} answers: ids, mask
     * (ones when absent), segments (zeros), features, boxes, the soft-score targets (zeros when absent).
     */
    private HostBatch vqaBatch(int numAnswers) throws IOException {
        Npy.Array ids = npy("in_input_ids"), feats = npy("in_feats");
        int b = (int) ids.shape()[0];
        HostBatch hb = new HostBatch(b, 1, (int) ids.shape()[1], (int) feats.shape()[1], (int) feats.shape()[2], numAnswers);
        copy(ids, hb.inputIds);
        fill("in_input_mask", hb.inputMask, 1);
        fill("in_segment_ids", hb.segmentIds, 0);
        float[] f = feats.toFloatArray();
        System.arraycopy(f, 0, hb.feats, 0, f.length);
        float[] bx = npy("in_boxes").toFloatArray();
        System.arraycopy(bx, 0, hb.boxCoords, 0, bx.length);
        fill("in_vqa_target", hb.targets);
        return hb;
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
        // fine-tuning's own task net and task
        TaskNet net = new TaskNet(Task.VQA, root, config, numAns, 0, false);
        Map<String, Tensor> all = new LinkedHashMap<>();
        ckpt.forEach((k, v) -> { if (k.startsWith("bert.")) all.put(k, v); });
        all.putAll(headT);
        Map<String, NDArray> params = net.module().namedParameters();
        LoadReport rep = ModelWeights.load(params, all, k -> false);
        if (!rep.isClean()) throw new IllegalStateException(file + " + " + head + ": do not fit the VQA model:\n" + rep);
        net.module().setTraining(false);
        FinetuneTask task = new FinetuneTask(net);
        HostBatch batch = vqaBatch(numAns);
        try (NDManager m = root.newSubManager()) {
            try (AutoCloseable ng = Grad.noGrad()) {
                TaskNet.Inputs in = TaskNet.inputs(m, batch);
                compare("out_vqa_pooled", net.bert().forward(in.ids(), in.seg(), in.mask(), in.feats(), in.boxes(), null, null).pooled());
                compare("out_vqa_logits", net.forward(in, null));
                if (has("in_vqa_target")) compare("out_vqa_loss", meanLoss(task, task.toDevice(m, batch), task.counts(batch)).reshape(1));
            }
            JsonNode tf = manifest.get("train_fixture");
            if (tf == null || !has("in_vqa_target")) {
                for (String n : vqaOutputs.subList(3, 6)) {
                    if (has(n)) skipped.put(n, new Skipped(n, "manifest has no train_fixture or in_vqa_target is absent"));
                }
                return;
            }
            JsonNode record = tf.path("record");
            // the fixed batch through THE training step that fine-tuning runs
            Trainer.Options to = new Trainer.Options(tf.get("lr").asDouble(), tf.get("warmup").asDouble(), tf.get("t_total").asLong(),
                    tf.path("clip").asDouble(5.0), null);
            try (Trainer<HostBatch, FinetuneTask.Batch> trainer = new Trainer<>(root, net.module(), task, to)) {
                for (int s = 0; s < tf.path("steps").asInt(3); s++) {
                    trainer.step(List.of(batch));
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
                compare("out_train_logits_after", net.forward(TaskNet.inputs(m, batch), null));
                compare("out_train_logit_fc3_weight_after", params.get("logit_fc.3.weight"));
                compareRows("out_train_word_emb_rows_after", params.get("bert.embeddings.word_embeddings.weight"));
                paramSums("train_param_sums_after", tf.path("param_sums_after"),
                        k -> params.get(KeyMaps.toCanonical(k, KeyMaps.Layout.ORIGINAL_TASK)));
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A task's loss on one batch (no gradient): each loss sum divided by its count, added, as the trainer does. */
    private static <B, D> NDArray meanLoss(TrainTask<B, D> task, D batch, Map<String, Long> counts) {
        NDArray total = null;
        for (TrainTask.Loss l : task.forward(batch).losses().values()) {
            NDArray mean = l.sum().div(lxmert.model.Ops.scalar(l.sum(), counts.get(l.count())));
            total = total == null ? mean : total.add(mean);
        }
        return total;
    }
}
