package lxmert.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class LxmertConfigTest {
    /** The config.json of HuggingFace's unc-nlp/lxmert-base-uncased, as transformers writes it. */
    static final String HF = """
            {
              "architectures": ["LxmertForPreTraining"],
              "attention_probs_dropout_prob": 0.1,
              "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1,
              "hidden_size": 768,
              "initializer_range": 0.02,
              "intermediate_size": 3072,
              "l_layers": 9,
              "layer_norm_eps": 1e-12,
              "max_position_embeddings": 512,
              "model_type": "lxmert",
              "num_attention_heads": 12,
              "num_attr_labels": 400,
              "num_hidden_layers": {"cross_encoder": 5, "language": 9, "vision": 5},
              "num_object_labels": 1600,
              "num_qa_labels": 9500,
              "r_layers": 5,
              "task_mask_lm": true,
              "task_matched": true,
              "task_obj_predict": true,
              "task_qa": true,
              "type_vocab_size": 2,
              "visual_attr_loss": true,
              "visual_feat_dim": 2048,
              "visual_feat_loss": true,
              "visual_loss_normalizer": 6.67,
              "visual_obj_loss": true,
              "visual_pos_dim": 4,
              "vocab_size": 30522,
              "x_layers": 5
            }""";

    @Test
    void huggingFaceConfigLoadsAsItIs() {
        LxmertConfig c = LxmertConfig.fromJson(HF, "config.json");
        assertEquals(768, c.hidden_size());
        assertEquals(9, c.l_layers());
        assertEquals(5, c.x_layers());
        assertEquals(5, c.r_layers());
        assertEquals(9500, c.num_qa_labels());
        assertEquals(6.67, c.visual_loss_normalizer());
    }

    @Test
    void unknownKeysAreIgnoredWithOneWarningLine() {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        LxmertConfig c = LxmertConfig.fromJson("{\"hidden_size\": 64, \"num_attention_heads\": 4, \"hiden_size\": 3, \"foo\": {}}",
                "my.json", warnings::add);
        assertEquals(64, c.hidden_size());
        assertEquals(java.util.List.of("warning: my.json: ignoring unknown config keys [hiden_size, foo]"), warnings);
    }

    /** What current transformers writes (dtype, use_cache, ...) loads without a warning. */
    @Test
    void currentTransformersKeysAreKnown() {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        String current = HF.replace("\"x_layers\": 5", "\"x_layers\": 5, \"dtype\": \"float32\", \"use_cache\": true, "
                + "\"transformers_version\": \"4.57.1\", \"pad_token_id\": 0");
        assertTrue(current.contains("use_cache"));
        assertEquals(LxmertConfig.fromJson(HF, "a", warnings::add), LxmertConfig.fromJson(current, "b", warnings::add));
        assertEquals(java.util.List.of(), warnings);
    }

    @Test
    void wrongTypesAndInvalidValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LxmertConfig.fromJson("{\"l_layers\": \"nine\"}", "c.json"));
        assertTrue(e.getMessage().contains("l_layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LxmertConfig.fromJson("{\"hidden_size\": 100, \"num_attention_heads\": 12}", "c.json"));
        assertTrue(e.getMessage().contains("num_attention_heads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LxmertConfig.fromJson("[1]", "c.json"));
        assertTrue(e.getMessage().contains("c.json"), e.getMessage());
    }

    @Test
    void jsonRoundTripAndPresets(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        for (LxmertConfig c : new LxmertConfig[] {LxmertConfig.lxr955(), LxmertConfig.tiny()}) {
            Path f = tmp.resolve("c.json");
            c.save(f);
            assertEquals(c, LxmertConfig.load(f));
            assertTrue(Files.readString(f).contains("\"visual_feat_dim\""));
        }
        assertEquals(LxmertConfig.lxr955(), LxmertConfig.resolve("lxr955"));
        assertEquals(LxmertConfig.tiny(), LxmertConfig.resolve("tiny"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LxmertConfig.resolve("lxr9555"));
        assertTrue(e.getMessage().contains("lxr9555"));
        LxmertConfig r = LxmertConfig.lxr955();
        assertEquals(9, r.l_layers());
        assertEquals(2048, r.visual_feat_dim());
        assertEquals(1 / 0.15, r.visual_loss_normalizer(), 1e-12);
    }

    /** A config.json as runs write it (every value other than lxr955's): it loads, and the builder names each field. */
    @Test
    void writtenConfigLoadsAndTheBuilderSetsEachFieldByName() {
        String written = """
                {
                  "model_type" : "lxmert",
                  "vocab_size" : 400,
                  "hidden_size" : 32,
                  "num_attention_heads" : 2,
                  "intermediate_size" : 64,
                  "hidden_act" : "relu",
                  "hidden_dropout_prob" : 0.2,
                  "attention_probs_dropout_prob" : 0.3,
                  "max_position_embeddings" : 64,
                  "type_vocab_size" : 3,
                  "initializer_range" : 0.05,
                  "layer_norm_eps" : 1.0E-6,
                  "l_layers" : 1,
                  "x_layers" : 2,
                  "r_layers" : 3,
                  "visual_feat_dim" : 8,
                  "visual_pos_dim" : 5,
                  "num_object_labels" : 16,
                  "num_attr_labels" : 8,
                  "num_qa_labels" : 10,
                  "visual_loss_normalizer" : 2.5
                }""";
        LxmertConfig built = LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .hiddenAct("relu").hiddenDropoutProb(0.2).attentionProbsDropoutProb(0.3).maxPositionEmbeddings(64)
                .typeVocabSize(3).initializerRange(0.05).layerNormEps(1e-6).lLayers(1).xLayers(2).rLayers(3)
                .visualFeatDim(8).visualPosDim(5).numObjectLabels(16).numAttrLabels(8).numQaLabels(10)
                .visualLossNormalizer(2.5).build();
        assertEquals(built, LxmertConfig.fromJson(written, "config.json"));
        assertEquals(written.replaceAll("\\s", ""), built.toJson().replaceAll("\\s", ""));
        assertEquals(built, built.toBuilder().build());
        assertEquals(LxmertConfig.lxr955(), LxmertConfig.tiny().toBuilder().hiddenSize(768).numAttentionHeads(12)
                .intermediateSize(3072).lLayers(9).xLayers(5).rLayers(5).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> built.toBuilder().numAttentionHeads(3).build());
        assertEquals("invalid config value for \"num_attention_heads\": 3 (must divide hidden_size 32)", e.getMessage());
    }
}
