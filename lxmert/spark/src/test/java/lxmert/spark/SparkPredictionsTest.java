package lxmert.spark;

import lxmert.data.DataOptions;
import lxmert.tasks.Predictor;
import lxmert.tasks.Task;
import lxmert.tasks.TaskData;
import lxmert.tasks.Tester;
import lxmert.train.TrainingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The partition functions of the test job as plain methods, without Spark. */
class SparkPredictionsTest {
    @TempDir Path tmp;

    @Test
    void splitKeepsWholeBatchesInOrder() {
        int[][] batches = TrainingLoop.batches(50, 8, false, false, 0); // 7 batches: 6 of 8 and one of 2
        List<int[][]> parts = Predictions.split(batches, 3);
        assertEquals(3, parts.size());
        assertEquals(List.of(2, 2, 3), parts.stream().map(p -> p.length).toList());
        List<int[]> joined = new ArrayList<>();
        for (int[][] p : parts) joined.addAll(List.of(p));
        assertArrayEquals(batches, joined.toArray(new int[0][]));
        assertEquals(7, Predictions.split(batches, 100).size(), "never more partitions than batches");
        assertEquals(1, Predictions.split(batches, 1).size());
    }

    @Test
    void gatherPutsPredictionsInExampleOrderAndRefusesGapsAndRepeats() {
        Predictions.Part a = new Predictions.Part(new int[] {2, 0}, new int[] {7, 5}, new float[] {0.7f, 0.5f}, 1, "h", 1);
        Predictions.Part b = new Predictions.Part(new int[] {1}, new int[] {6}, new float[] {0.6f}, 2, "h", 1);
        int[] labels = new int[3];
        float[] probs = new float[3];
        Predictions.gather(List.of(a, b), 3, labels, probs);
        assertArrayEquals(new int[] {5, 6, 7}, labels);
        assertArrayEquals(new float[] {0.5f, 0.6f, 0.7f}, probs);
        assertThrows(IllegalStateException.class, () -> Predictions.gather(List.of(a), 3, labels, probs));
        assertThrows(IllegalStateException.class, () -> Predictions.gather(List.of(a, b, b), 3, labels, probs));
    }

    @Test
    void partitionsPredictWhatThePredictorPredictsOverTheWholeSplit() throws Exception {
        World w = World.create(tmp, 0.3);
        PredictSpec spec = new PredictSpec("vqa", w.snapshot.toString(), World.config().toJson(),
                Task.VQA.recipe().numAnswers(w.data), null, w.vocab.toString(), w.data.toString(), "minival", 1, null);
        Tester tester = ModelHolder.model(spec);
        int loads = ModelHolder.loads();
        assertSame(tester, ModelHolder.model(spec), "one model per JVM and snapshot");
        assertEquals(loads, ModelHolder.loads());
        try (TaskData d = ModelHolder.load(Task.VQA, DataOptions.of(w.data), "minival", w.vocab, null);
             NDManager m = NDManager.newBaseManager()) {
            Predictor.Predictions whole = Predictor.predict(tester.net(), d, 4, m);
            int[][] batches = TrainingLoop.batches(d.size(), 4, false, false, 0);
            List<Predictions.Part> parts = new ArrayList<>();
            for (int[][] slice : Predictions.split(batches, 3)) {
                Predictions.partition(spec, Arrays.asList(slice).iterator()).forEachRemaining(parts::add);
            }
            assertEquals(3, parts.size());
            assertTrue(d.size() > 12, "examples: " + d.size());
            int[] labels = new int[d.size()];
            float[] probs = new float[d.size()];
            Predictions.gather(parts, d.size(), labels, probs);
            assertArrayEquals(whole.labels(), labels);
            assertArrayEquals(whole.probabilities(), probs);
            assertFalse(Predictions.partition(spec, java.util.Collections.emptyIterator()).hasNext());
        }
    }
}
