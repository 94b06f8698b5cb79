package lxmert.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import lxmert.data.DataOptions;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.Grad;

/**
 * The predictor's class and probability per example, against the logits computed here: the class of the largest
 * logit, and the probability the head's loss implies (QA with BCE: the sigmoid of that logit; NLVR2 and QA with
 * {@code --mce-loss}, cross entropy: its softmax), computed here in Java from the logits.
 */
class PredictorTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        data = SmallWorld.create(tmp.resolve("data"), 0.3);
    }

    @ParameterizedTest(name = "{0} mce={2}")
    @CsvSource({"VQA, minival, false", "VQA, minival, true", "NLVR2, valid, false"})
    void probabilityOfThePredictedClassIsWhatTheLossImplies(Task task, String split, boolean mce) throws Exception {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt")), FinetuneOptions.SEQ_LEN);
        try (TaskData d = task.recipe().load(DataOptions.of(data), split, enc, null);
             NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(task, root, SmallWorld.config(), d.numAnswers(), 7, mce);
            Predictor.Predictions p = Predictor.predict(net, d, 7, root);
            int n = Math.min(d.size(), 40);
            float[] logits;
            int classes;
            net.module().setTraining(false);
            try (AutoCloseable ng = Grad.noGrad(); NDManager m = root.newSubManager()) {
                HostBatch hb = d.fill(d.allocate(n), IntStream.range(0, n).toArray());
                var l = net.forward(TaskNet.inputs(m, hb), null);
                classes = (int) l.getShape().get(1);
                logits = l.toFloatArray();
            }
            boolean softmax = mce || task == Task.NLVR2;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int a = 1; a < classes; a++) if (logits[i * classes + a] > logits[i * classes + best]) best = a;
                double want;
                if (softmax) {
                    double z = 0;
                    for (int a = 0; a < classes; a++) z += Math.exp(logits[i * classes + a] - logits[i * classes + best]);
                    want = 1 / z;
                } else {
                    want = 1 / (1 + Math.exp(-logits[i * classes + best]));
                }
                assertEquals(best, p.labels()[i], "example " + i);
                assertEquals(want, p.probabilities()[i], 2e-5, "example " + i);
                assertTrue(want > 0 && want <= 1);
            }
        }
    }
}
