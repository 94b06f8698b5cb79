package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.data.AnswerTable;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;
import lxmert.model.LxmertPretraining;
import lxmert.text.BertTokenizer;
import lxmert.train.Grad;

/**
 * On the synthetic world: the packed corpus holds exactly the examples of the source files read here (same order,
 * uids, word pieces, converted labels), and a batch of it goes through the pretraining model and loss to six finite
 * losses.
 */
class SynthCorpusTest {
    @TempDir Path tmp;

    @Test
    void packedCorpusEqualsTheSourceFilesAndFeedsTheModel() throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(3, 0.1, 16, 10)).write(data);
        BertTokenizer tok = BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt"));
        String sources = "mscoco_train,mscoco_nominival,vgnococo";
        DataOptions opt = DataOptions.of(data);
        AnswerTable table = AnswerTable.load(data.resolve("lxmert/all_ans.json"), List.of("vqa"));
        try (PretrainCorpus c = PretrainCorpus.load(opt, sources, List.of("vqa"), -1, tok, 20)) {
            assertEquals(0, c.droppedRecords());
            assertTrue(c.size() > 100, "examples: " + c.size());
            // the records read here: every sentence of every record in file order, its label through convertAns
            int n = 0, labelled = 0;
            int[] t = new int[32];
            for (String source : sources.split(",")) {
                for (JsonNode r : new ObjectMapper().readTree(data.resolve("lxmert/" + source + ".json").toFile())) {
                    String img = r.get("img_id").textValue();
                    for (var cat : (Iterable<Map.Entry<String, JsonNode>>) () -> r.get("sentf").fields()) {
                        JsonNode labels = r.get("labelf").get(cat.getKey());
                        for (int k = 0; k < cat.getValue().size(); k++, n++) {
                            String uid = String.format("%s_%s_%03d", img, cat.getKey(), k);
                            assertEquals(uid, c.uid(n));
                            assertEquals(img, c.imgId(n));
                            List<String> pieces = tok.tokenize(cat.getValue().get(k).textValue().strip());
                            int[] want = tok.convertTokensToIds(pieces.subList(0, Math.min(18, pieces.size())));
                            assertArrayEquals(want, java.util.Arrays.copyOf(t, c.tokens(n, t)), uid);
                            assertEquals(labels != null, c.labelled(n), uid);
                            if (labels == null) continue;
                            labelled++;
                            Map<String, Double> label = new HashMap<>();
                            labels.get(k).fields().forEachRemaining(a -> {
                                if (table.used(AnswerTable.convertAns(a.getKey()))) label.put(AnswerTable.convertAns(a.getKey()), a.getValue().doubleValue());
                            });
                            assertEquals(label.size(), c.numAnswers(n), uid);
                            for (Map.Entry<String, Double> a : label.entrySet()) {
                                assertEquals(a.getValue(), c.scoreOf(n, table.ans2id(a.getKey())), 1e-6, uid + " " + a.getKey());
                            }
                        }
                    }
                }
            }
            assertEquals(n, c.size());
            assertTrue(labelled > 10, "labelled examples: " + labelled);

            LxmertConfig cfg = LxmertConfig.builder().vocabSize(tok.vocab().size()).hiddenSize(32).numAttentionHeads(2)
                    .intermediateSize(64).maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(16)
                    .numObjectLabels(9).numAttrLabels(9).numQaLabels(c.answerTable().size()).build();
            PretrainTasks tasks = PretrainTasks.all();
            PretrainBatcher b = new PretrainBatcher(c, c, tasks, Masking.Specials.of(tok.vocab()), 20, 9);
            PretrainBatch batch = b.fill(b.allocate(16), java.util.stream.IntStream.range(0, 16).map(i -> i * 7 % c.size()).toArray(), 0);
            try (NDManager m = NDManager.newBaseManager(); AutoCloseable ng = Grad.noGrad()) {
                LxmertPretraining model = LxmertPretraining.create(m, cfg, 1);
                model.setTraining(false);
                PretrainBatch.Arrays a = batch.toArrays(m);
                LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(), a.visualMask(), null);
                var l = new PretrainLoss(cfg, tasks).means(o, a.targets(), PretrainLoss.counts(batch), true);
                for (int i = 0; i < 7; i++) assertTrue(Float.isFinite(l[i].getFloat()) && l[i].getFloat() >= 0, "loss " + i + " " + l[i].getFloat());
            }
        }
    }
}
