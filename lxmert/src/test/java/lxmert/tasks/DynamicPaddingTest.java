package lxmert.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.model.LxmertPretraining;
import lxmert.tasks.pretrain.PretrainBatch;
import lxmert.tasks.pretrain.PretrainLoss;
import lxmert.tasks.pretrain.PretrainTasks;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.Grad;
import lxmert.train.TrainTask;
import lxmert.util.NdArrays;

/**
 * Batches keep only the token columns their longest sentence uses. Checked against the same batch padded to
 * max_seq_length, uploaded here column for column: the logits, the loss and the gradients of fine-tuning, and the six
 * pretraining losses, agree to float rounding; the cut length is the longest sentence, counted here from the mask.
 */
class DynamicPaddingTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        data = SmallWorld.create(tmp.resolve("data"), 0.3);
    }

    static TaskNet.Inputs padded(NDManager m, HostBatch b) {
        Shape tok = new Shape(b.rows, b.seqLen);
        return new TaskNet.Inputs(NdArrays.longs(m, b.inputIds, tok), NdArrays.longs(m, b.inputMask, tok),
                NdArrays.longs(m, b.segmentIds, tok), NdArrays.floats(m, b.feats, new Shape(b.rows, b.boxes, b.featDim)),
                NdArrays.floats(m, b.boxCoords, new Shape(b.rows, b.boxes, 4)),
                b.anyPadding ? NdArrays.floats(m, b.visualMask, new Shape(b.rows, b.boxes)) : null);
    }

    static int longest(long[] mask, int rows, int seqLen) {
        int best = 0;
        for (int r = 0; r < rows; r++) {
            int n = 0;
            for (int c = 0; c < seqLen; c++) n += mask[r * seqLen + c] != 0 ? 1 : 0;
            best = Math.max(best, n);
        }
        return best;
    }

    static void close(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * Math.max(1, scale), what + " [" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"VQA, minival", "NLVR2, valid"})
    void finetuningOutputsAndGradientsAreThePaddedBatchs(Task task, String split) throws Exception {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt")), FinetuneOptions.SEQ_LEN);
        try (TaskData d = task.recipe().load(DataOptions.of(data), split, enc, null);
             NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(task, root, SmallWorld.config(), d.numAnswers(), 7, false);
            net.module().setTraining(false); // no dropout: both forwards see the same function
            net.module().setRequiresGradient(true);
            int n = Math.min(d.size(), 24);
            HostBatch hb = d.fill(d.allocate(n), IntStream.range(0, n).toArray());
            int want = longest(hb.inputMask, hb.rows, hb.seqLen);
            assertTrue(want < hb.seqLen, "the world's sentences are shorter than max_seq_length: " + want);
            String g = "bert.encoder.layer.0.attention.self.query.weight";
            NDArray param = net.module().namedParameters().get(g);
            float[][] logits = new float[2][], grads = new float[2][];
            float[] loss = new float[2];
            for (int k = 0; k < 2; k++) {
                try (NDManager m = root.newSubManager(); Grad.Mode on = Grad.enable()) {
                    TaskNet.Inputs in = k == 0 ? padded(m, hb) : TaskNet.inputs(m, hb);
                    assertEquals(k == 0 ? hb.seqLen : want, in.ids().getShape().get(1), "token columns");
                    NDArray l = net.forward(in, null);
                    NDArray ls = net.lossSum(l, net.task().recipe().targets(m, hb, 0, n, net.numAnswers()));
                    ai.djl.pytorch.jni.JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) ls, (ai.djl.pytorch.engine.PtNDArray) ls.onesLike(), false, false);
                    logits[k] = l.toFloatArray();
                    loss[k] = ls.getFloat();
                    try (NDManager gm = m.newSubManager()) {
                        grads[k] = Grad.gradient(param, gm).toFloatArray();
                    }
                    Grad.zero(param);
                    for (NDArray p : net.module().namedParameters().values()) Grad.zero(p);
                }
            }
            close(logits[0], logits[1], 1e-5, "logits");
            assertEquals(loss[0], loss[1], 1e-5 * Math.abs(loss[0]), "loss");
            close(grads[0], grads[1], 1e-4, "gradient of " + g);
            double norm = 0;
            for (float x : grads[0]) norm += x * x;
            assertTrue(norm > 0, "the gradient reaches the layer");
        }
    }

    @Test
    void aShardHasTheWholeBatchsLength() throws Exception {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt")), FinetuneOptions.SEQ_LEN);
        try (TaskData d = Task.VQA.recipe().load(DataOptions.of(data), "minival", enc, null);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int n = Math.min(d.size(), 16);
            HostBatch hb = d.fill(d.allocate(n), IntStream.range(0, n).toArray());
            // make row 0 the only long one: every shard keeps the whole batch's columns
            int full = hb.seqLen - 2;
            for (int c = 0; c < full; c++) hb.inputMask[c] = 1;
            TaskNet.Inputs shard = TaskNet.inputs(m, hb, n / 2, n);
            assertEquals(new Shape(n - n / 2, full), shard.ids().getShape());
            long[] ids = shard.ids().toLongArray();
            for (int r = 0; r < n - n / 2; r++) {
                for (int c = 0; c < full; c++) {
                    assertEquals(hb.inputIds[(n / 2 + r) * hb.seqLen + c], ids[r * full + c], "row " + r + " column " + c);
                }
            }
        }
    }

    @Test
    void pretrainingLossesAreThePaddedBatchs() throws Exception {
        LxmertConfig c = SmallWorld.config();
        int b = 6, seq = 20, boxes = 5, d = c.visual_feat_dim();
        Random rng = new Random(3);
        PretrainBatch pb = new PretrainBatch(b, seq, boxes, d);
        pb.size = b;
        int longest = 0;
        for (int r = 0; r < b; r++) {
            int len = 3 + rng.nextInt(9);
            longest = Math.max(longest, len);
            for (int t = 0; t < seq; t++) {
                int i = r * seq + t;
                pb.inputIds[i] = t < len ? (t == 0 ? 1 : 5 + rng.nextInt(c.vocab_size() - 5)) : 0;
                pb.inputMask[i] = t < len ? 1 : 0;
                pb.lmLabels[i] = t > 0 && t < len - 1 && rng.nextInt(3) == 0 ? 5 + rng.nextInt(c.vocab_size() - 5) : -1;
            }
            pb.matched[r] = rng.nextInt(2);
            pb.qaLabel[r] = rng.nextInt(3) == 0 ? -1 : rng.nextInt(c.num_qa_labels());
        }
        for (int i = 0; i < b * boxes * d; i++) {
            pb.feats[i] = rng.nextFloat();
            pb.origFeats[i] = rng.nextFloat();
        }
        for (int i = 0; i < b * boxes; i++) {
            for (int k = 0; k < 4; k++) pb.boxCoords[i * 4 + k] = rng.nextFloat();
            pb.objLabels[i] = rng.nextInt(c.num_object_labels());
            pb.attrLabels[i] = rng.nextInt(c.num_attr_labels());
            pb.objConfs[i] = rng.nextFloat();
            pb.attrConfs[i] = rng.nextFloat();
            pb.featMask[i] = rng.nextInt(4) == 0 ? 1 : 0;
        }
        assertEquals(longest, pb.usedColumns());
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            LxmertPretraining model = LxmertPretraining.create(root, c, 5);
            model.setTraining(false);
            PretrainLoss loss = new PretrainLoss(c, PretrainTasks.all());
            float[][] sums = new float[2][];
            try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
                PretrainBatch.Arrays cut = pb.toArrays(m);
                assertEquals(new Shape(b, longest), cut.inputIds().getShape());
                // the padded batch, uploaded here, and its MLM rows counted here over b x seq positions
                Shape text = new Shape(b, seq);
                int nm = 0;
                for (long l : pb.lmLabels) if (l >= 0) nm++;
                long[] rows = new long[nm];
                nm = 0;
                for (int i = 0; i < b * seq; i++) if (pb.lmLabels[i] >= 0) rows[nm++] = i;
                LxmertPretraining.Targets t = cut.targets();
                LxmertPretraining.Targets full = new LxmertPretraining.Targets(NdArrays.longs(m, pb.lmLabels, text),
                        t.matchedLabel(), t.objLabels(), t.objConfs(), t.attrLabels(), t.attrConfs(), t.feats(), t.featMask(), t.ans());
                LxmertPretraining.Outputs oPad = model.forward(NdArrays.longs(m, pb.inputIds, text), NdArrays.longs(m, pb.segmentIds, text),
                        NdArrays.longs(m, pb.inputMask, text), cut.feats(), cut.boxes(), cut.visualMask(),
                        NdArrays.longs(m, rows, new Shape(rows.length)), null);
                LxmertPretraining.Outputs oCut = model.forward(cut.inputIds(), cut.segmentIds(), cut.inputMask(), cut.feats(),
                        cut.boxes(), cut.visualMask(), cut.mlmRows(), null);
                Map<String, TrainTask.Loss> a = loss.sums(oPad, full), bb = loss.sums(oCut, t);
                assertEquals(a.keySet(), bb.keySet());
                sums[0] = new float[a.size()];
                sums[1] = new float[a.size()];
                int k = 0;
                for (String name : a.keySet()) {
                    sums[0][k] = a.get(name).sum().getFloat();
                    sums[1][k++] = bb.get(name).sum().getFloat();
                }
            }
            close(sums[0], sums[1], 1e-5, "pretraining loss sums " + java.util.Arrays.toString(sums[0]));
            assertTrue(sums[0][0] > 0, "the MLM loss is computed");
        }
    }

    @Test
    void usedColumnsIsTheLastMaskedInColumn() {
        long[] mask = {1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0};
        assertEquals(2, NdArrays.usedColumns(mask, 0, 1, 5));
        assertEquals(4, NdArrays.usedColumns(mask, 0, 3, 5));
        assertEquals(4, NdArrays.usedColumns(mask, 1, 1, 5));
        assertEquals(1, NdArrays.usedColumns(mask, 2, 1, 5));
    }
}
