package lxmert.spark;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code local-cluster[2,1,1024]}: two executor JVMs from the Maven jars (SPARK_HOME with an empty jars/, set by the
 * pom, and spark.executor.extraClassPath = the test class path). Each executor JVM loads the model exactly once;
 * an executor killed in the middle of the job has its task retried and the prediction file is unchanged.
 */
class SparkLocalClusterTest {
    @TempDir static Path tmp;
    static World w;
    static byte[] single;

    @BeforeAll
    static void setUp() throws Exception {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        w = World.create(tmp, 0.5);
        Path out = tmp.resolve("single");
        World.Out o = World.run(lxmert.cli.Main.commandLine(), "test", "--task", "vqa", "--data", w.data.toString(),
                "--vocab", w.vocab.toString(), "--load", w.snapshot.toString(), "--test", "minival", "--output", out.toString(),
                "--batch-size", "16");
        assertEquals(0, o.rc(), o.err());
        single = Files.readAllBytes(out.resolve("minival_predict.json"));
    }

    World.Out run(Path out, boolean halt) {
        return World.run(SparkMain.commandLine(), "test", "--task", "vqa", "--data", w.data.toString(), "--vocab", w.vocab.toString(),
                "--load", w.snapshot.toString(), "--test", "minival", "--output", out.toString(), "--batch-size", "16",
                "--master", "local-cluster[2,1,1024]", "--partitions", "6",
                "--conf", "spark.executor.extraClassPath=" + System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
                "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Xss4m",
                "--conf", FaultInjection.HALT + "=" + halt);
    }

    /** pid@host -> models loaded, from the driver's line. */
    static Map<String, Integer> loads(String err) {
        Matcher m = Pattern.compile("by (\\d+) JVM\\(s\\); models loaded per JVM: \\{(.*)}").matcher(err);
        assertTrue(m.find(), err);
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (String kv : m.group(2).split(", ")) {
            String[] p = kv.split("=");
            out.put(p[0], Integer.parseInt(p[1]));
        }
        return out;
    }

    @Test
    void twoExecutorJvmsEachLoadTheModelOnceAndPredictTheSameFile() throws Exception {
        Path out = tmp.resolve("cluster");
        World.Out o = run(out, false);
        assertEquals(0, o.rc(), o.err());
        assertArrayEquals(single, Files.readAllBytes(out.resolve("minival_predict.json")));
        Map<String, Integer> loads = loads(o.err());
        assertEquals(2, loads.size(), "two executor JVMs: " + loads);
        long self = ProcessHandle.current().pid();
        for (var e : loads.entrySet()) {
            assertEquals(1, e.getValue(), "model loads of " + e.getKey());
            assertFalse(e.getKey().startsWith(self + "@"), "executors are other JVMs than the driver");
        }
    }

    @Test
    void aKilledExecutorsTaskIsRetriedAndTheFileIsUnchanged() throws Exception {
        Path out = tmp.resolve("killed");
        World.Out o = run(out, true);
        assertEquals(0, o.rc(), o.err());
        assertArrayEquals(single, Files.readAllBytes(out.resolve("minival_predict.json")));
        assertTrue(Pattern.compile("task \\d+ \\(partition 0, attempt 0\\) on executor \\d+ failed: ExecutorLostFailure").matcher(o.err()).find(),
                "partition 0's first attempt was lost with its executor: " + o.err());
        for (var e : loads(o.err()).entrySet()) assertEquals(1, e.getValue(), "model loads of " + e.getKey());
    }
}
