package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.PretrainDataset;
import lxmert.data.PretrainExample;
import lxmert.data.synth.SynthWorld;
import lxmert.model.LxmertPretraining;
import lxmert.text.BertTokenizer;
import lxmert.train.Grad;

/**
 * On the synthetic world: the packed corpus holds exactly the examples of the record-based loader
 * ({@link PretrainDataset}, same order, uids, word pieces, converted labels), and a batch of it goes through the
 * pretraining model and loss to six finite losses.
 */
class SynthCorpusTest {
    @TempDir Path tmp;

    @Test
    void packedCorpusEqualsTheRecordLoaderAndFeedsTheModel() throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(3, 0.1, 16, 10)).write(data);
        BertTokenizer tok = BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt"));
        String sources = "mscoco_train,mscoco_nominival,vgnococo";
        DataOptions opt = DataOptions.of(data);
        try (PretrainDataset ref = PretrainDataset.load(opt, sources, List.of("vqa"));
             PretrainCorpus c = PretrainCorpus.load(opt, sources, List.of("vqa"), -1, tok, 20)) {
            List<PretrainExample> ex = ref.data();
            assertEquals(ex.size(), c.size());
            assertTrue(c.size() > 100, "examples: " + c.size());
            int labelled = 0;
            int[] t = new int[32];
            for (int i = 0; i < ex.size(); i++) {
                PretrainExample e = ex.get(i);
                assertEquals(e.uid(), c.uid(i));
                assertEquals(e.imgId(), c.imgId(i));
                List<String> pieces = tok.tokenize(e.sent().strip());
                int[] want = tok.convertTokensToIds(pieces.subList(0, Math.min(18, pieces.size())));
                int n = c.tokens(i, t);
                assertArrayEquals(want, java.util.Arrays.copyOf(t, n), e.uid());
                assertEquals(e.label() != null, c.labelled(i), e.uid());
                if (e.label() != null) {
                    labelled++;
                    assertEquals(e.label().size(), c.numAnswers(i), e.uid());
                    for (Map.Entry<String, Double> a : e.label().entrySet()) {
                        assertEquals(a.getValue(), c.scoreOf(i, ref.answerTable().ans2id(a.getKey())), 1e-6, e.uid() + " " + a.getKey());
                    }
                }
            }
            assertTrue(labelled > 10, "labelled examples: " + labelled);

            LxmertConfig cfg = new LxmertConfig(tok.vocab().size(), 32, 2, 64, "gelu", 0.1, 0.1, 64, 2, 0.02, 1e-12, 1, 1, 1, 16, 4,
                    9, 9, c.answerTable().size(), 1 / 0.15);
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
