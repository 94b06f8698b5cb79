package lxmert.model;

import ai.djl.ndarray.*;
import ai.djl.ndarray.types.*;
import com.fasterxml.jackson.databind.*;
import lxmert.config.LxmertConfig;
import lxmert.util.Npy;
import org.junit.jupiter.api.Test;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

class ScratchTest {
    static final Path FX = Path.of("/work/shared/fixtures/lxrt-small");
    NDArray in(NDManager m, String n) throws Exception {
        Npy.Array a = Npy.read(FX.resolve(n + ".npy"));
        return a.isInteger() ? m.create(a.longs(), new Shape(a.shape())) : m.create(a.floats(), new Shape(a.shape()));
    }
    void cmp(NDManager m, String name, NDArray got) throws Exception {
        Npy.Array a = Npy.read(FX.resolve(name + ".npy"));
        float[] e = a.floats(); float[] g = got.toType(DataType.FLOAT32,false).toFloatArray();
        double d = 0; for (int i = 0; i < e.length; i++) d = Math.max(d, Math.abs(e[i]-g[i]));
        System.out.println(name + " " + Arrays.toString(a.shape()) + " vs " + got.getShape() + " max_abs_diff=" + d);
    }
    @Test void train() throws Exception {
        LxmertConfig c = new LxmertConfig(1000,64,4,256,"gelu",0.1,0.1,64,2,0.02,1e-12,2,1,1,128,4,160,40,16,1/0.15);
        Map<String,List<Integer>> meta = new ObjectMapper().readValue(Path.of("/tmp/w/meta.json").toFile(), Map.class);
        try (NDManager m = NDManager.newBaseManager()) {
            QaModel model = QaModel.create(m, c, 10, 1);
            Map<String, NDArray> sd = model.namedParameters();
            for (var e : meta.entrySet()) {
                String k = e.getKey().startsWith("module.") ? e.getKey().substring("module.".length()) : e.getKey();
                NDArray p = sd.get(k);
                if (p == null) continue;
                byte[] b = Files.readAllBytes(Path.of("/tmp/w/" + e.getKey() + ".bin"));
                float[] f = new float[b.length/4]; ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                p.set(f);
            }
            model.setRequiresGradient(true);
            lxmert.train.BertAdam opt = new lxmert.train.BertAdam(sd, 0.001, 0.1, 10);
            for (int step = 0; step < 3; step++) {
                try (NDManager b = m.newSubManager()) {
                    NDArray loss;
                    try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        NDArray logit = model.forward(in(b,"in_input_ids"), in(b,"in_segment_ids"), in(b,"in_input_mask"), in(b,"in_feats"), in(b,"in_boxes"), null);
                        if (step == 0) cmp(b, "out_vqa_logits", logit);
                        loss = Losses.bceWithLogits(logit, in(b,"in_vqa_target")).mul(10f);
                        if (step == 0) cmp(b, "out_vqa_loss", loss);
                        gc.backward(loss);
                    }
                    lxmert.train.BertAdam.zeroPaddingRows(model.bert().paddingRowParameters());
                    double norm = lxmert.train.BertAdam.clipGradNorm(sd.values(), 5.0);
                    double lr = opt.scheduledLr();
                    opt.step(); opt.zeroGrad();
                    System.out.println("step " + step + " loss=" + loss.getFloat() + " norm=" + norm + " lr=" + lr);
                }
            }
            try (NDManager b = m.newSubManager()) {
                lxmert.train.Grad.setEnabled(false);
                NDArray logit = model.forward(in(b,"in_input_ids"), in(b,"in_segment_ids"), in(b,"in_input_mask"), in(b,"in_feats"), in(b,"in_boxes"), null);
                cmp(b, "out_train_logits_after", logit);
                cmp(b, "out_train_logit_fc3_weight_after", sd.get("logit_fc.3.weight"));
                cmp(b, "out_train_word_emb_rows_after", sd.get("bert.embeddings.word_embeddings.weight").get("0:4"));
            }
        }
    }
    @Test void run() throws Exception {
        System.setProperty("ai.djl.offline","true");
        LxmertConfig c = new LxmertConfig(1000,64,4,256,"gelu",0.1,0.1,64,2,0.02,1e-12,2,1,1,128,4,160,40,16,1/0.15);
        Map<String,List<Integer>> meta = new ObjectMapper().readValue(Path.of("/tmp/w/meta.json").toFile(), Map.class);
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = LxmertPretraining.create(m, c, 1);
            Map<String, NDArray> sd = model.stateDict();
            for (var e : meta.entrySet()) {
                String k = e.getKey().substring("module.".length());
                NDArray p = sd.get(k);
                if (p == null) { System.out.println("MISSING " + k); continue; }
                byte[] b = Files.readAllBytes(Path.of("/tmp/w/" + e.getKey() + ".bin"));
                float[] f = new float[b.length/4]; ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                if (p.getShape().size() != f.length) System.out.println("SHAPE " + k);
                p.set(f);
            }
            System.out.println("keys model=" + sd.size() + " file=" + meta.size());
            try (NDManager b = m.newSubManager()) {
                LxrtOutput.Trace t = new LxrtOutput.Trace(true);
                var out = model.forward(in(b,"in_input_ids"), in(b,"in_segment_ids"), in(b,"in_input_mask"), in(b,"in_feats"), in(b,"in_boxes"), null, t);
                cmp(b,"out_embedding", t.embedding); cmp(b,"out_visn_fc", t.visnFc);
                cmp(b,"out_l_layer0", t.langLayers.get(0)); cmp(b,"out_l_layer1", t.langLayers.get(1));
                cmp(b,"out_r_layer0", t.visnLayers.get(0));
                cmp(b,"out_x_layer0_lang", t.crossLangLayers.get(0)); cmp(b,"out_x_layer0_visn", t.crossVisnLayers.get(0));
                cmp(b,"out_lang", out.lxrt().lang()); cmp(b,"out_visn", out.lxrt().visn()); cmp(b,"out_pooled", out.lxrt().pooled());
                cmp(b,"out_mlm_logits", out.mlmLogits()); cmp(b,"out_match_score", out.matchScore());
                cmp(b,"out_obj_predict_obj", out.objLogits()); cmp(b,"out_obj_predict_attr", out.attrLogits()); cmp(b,"out_obj_predict_feat", out.featPred());
                cmp(b,"out_pretrain_answer", out.answerLogits());
                NDArray[] L = model.losses(out, new LxmertPretraining.Targets(in(b,"in_masked_lm_labels"), in(b,"in_matched_label"), in(b,"in_obj_labels"), in(b,"in_obj_confs"), in(b,"in_attr_labels"), in(b,"in_attr_confs"), in(b,"in_feats"), in(b,"in_feat_mask"), in(b,"in_ans")));
                cmp(b,"out_pretrain_total_loss", L[0]);
                NDArray ls = NDArrays.stack(new NDList(Arrays.copyOfRange(L,1,7)));
                cmp(b,"out_pretrain_losses", ls);
                System.out.println(Arrays.toString(ls.toFloatArray()));
                var out2 = model.forward(in(b,"in_input_ids"), in(b,"in_segment_ids"), in(b,"in_input_mask"), in(b,"in_feats"), in(b,"in_boxes"), in(b,"in_visual_attention_mask"), null);
                cmp(b,"out_lang_vmask", out2.lxrt().lang()); cmp(b,"out_visn_vmask", out2.lxrt().visn()); cmp(b,"out_pooled_vmask", out2.lxrt().pooled());
            }
        }
    }
}
