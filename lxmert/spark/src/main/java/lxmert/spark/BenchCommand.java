package lxmert.spark;

import ai.djl.ndarray.NDManager;
import lxmert.cli.ModelArgs;
import lxmert.tasks.Predictor;
import lxmert.tasks.RunFolder;
import lxmert.tasks.TaskData;
import lxmert.tasks.Tester;
import lxmert.train.TrainingLoop;
import lxmert.util.Check;
import lxmert.util.EngineThreads;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lxmert-spark bench}: prediction throughput side by side in one run on the same split and snapshot: the
 * single JVM with {@code --threads} engine threads, {@code local[T]} with one engine thread per task, and
 * {@code local-cluster[T,1,MB]} (T executor JVMs; needs SPARK_HOME with an empty {@code jars/} and
 * SPARK_SCALA_VERSION=2.13 in the environment, else skipped). Throughput is questions per second over
 * {@code --repeat} passes after the model is loaded and a first batch (single JVM) or a first job (Spark) is done; the
 * session start and the first job's time are reported apart. One JSON line per mode, then the ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Prediction throughput: single JVM vs local[T] vs local-cluster[T,1,MB], one run, same data.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin ModelArgs model;
    @Option(names = "--load", required = true, description = "task snapshot (RUN/BEST of a run folder needs no other option)") Path load;
    @Option(names = "--test", required = true, description = "split to predict (at least 4000 questions for a fair number)") String split;
    @Option(names = "--batch-size", defaultValue = "256", converter = Check.PositiveInt.class, description = "default ${DEFAULT-VALUE}") int batchSize;
    @Option(names = "--slots", defaultValue = "2", converter = Check.PositiveInt.class,
            description = "single-JVM engine threads = Spark task slots (default ${DEFAULT-VALUE})") int slots;
    @Option(names = "--repeat", defaultValue = "3", converter = Check.PositiveInt.class, description = "timed passes (default ${DEFAULT-VALUE})") int repeat;
    @Option(names = "--modes", defaultValue = "single,local,local-cluster", split = ",", description = "default ${DEFAULT-VALUE}") List<String> modes;
    @Option(names = "--executor-memory-mb", defaultValue = "2048", description = "local-cluster executor memory (default ${DEFAULT-VALUE})") int executorMb;

    @Override
    public Integer call() throws Exception {
        for (String m : modes) if (!List.of("single", "local", "local-cluster").contains(m)) throw new IllegalArgumentException("--modes: unknown mode " + m);
        RunFolder.Model m = model.model(load, SparkMain.warn("bench"));
        PredictSpec spec = SparkTestCommand.spec(m, load, split, 1, null);
        Map<String, Double> qps = new LinkedHashMap<>();
        try (TaskData d = ModelHolder.load(m.task(), ModelHolder.options(spec.data(), null), split, Path.of(spec.vocab()), m.label2ans())) {
            int[][] batches = TrainingLoop.batches(d.size(), batchSize, false, false, 0);
            System.out.println(json(obj("cpu", cpu(), "cores", Runtime.getRuntime().availableProcessors(), "questions", d.size(),
                    "batch_size", batchSize, "repeat", repeat)));
            if (modes.contains("single")) qps.put("single", single(m, d, batches));
            if (modes.contains("local")) qps.put("local", spark("local[" + slots + "]", spec, d.size(), batches, Map.of()));
            if (modes.contains("local-cluster")) {
                String home = System.getenv("SPARK_HOME");
                if (home == null || !Files.isDirectory(Path.of(home, "jars"))) {
                    System.err.println("lxmert-spark bench: local-cluster skipped: set SPARK_HOME to a folder with an (empty) jars/ and SPARK_SCALA_VERSION=2.13");
                } else {
                    String cp = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                            .map(x -> Path.of(x).toAbsolutePath().toString()).reduce((a, b) -> a + java.io.File.pathSeparator + b).orElse("");
                    qps.put("local-cluster", spark("local-cluster[" + slots + ",1," + executorMb + "]", spec, d.size(), batches,
                            Map.of("spark.executor.extraClassPath", cp, "spark.scheduler.minRegisteredResourcesRatio", "1.0",
                                    "spark.executor.extraJavaOptions", "-Dai.djl.offline=true")));
                }
            }
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        if (qps.containsKey("single")) {
            for (var e : qps.entrySet()) if (!e.getKey().equals("single")) ratios.put(e.getKey() + "/single", round(e.getValue() / qps.get("single")));
        }
        if (!ratios.isEmpty()) System.out.println(json(ratios));
        return 0;
    }

    private double single(RunFolder.Model m, TaskData d, int[][] batches) throws Exception {
        lxmert.util.Natives.prepare(false, x -> {});
        EngineThreads.set(slots, System.err::println);
        try (Tester t = m.tester(load, "cpu", lxmert.util.Precision.FP32); NDManager root = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            Predictor.predict(t.net(), d, new int[][] {batches[0]}, root, (i, l, p) -> {});
            double first = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            for (int r = 0; r < repeat; r++) Predictor.predict(t.net(), d, batches, root, (i, l, p) -> {});
            double s = (System.nanoTime() - t0) / 1e9;
            double q = d.size() * (double) repeat / s;
            System.out.println(json(obj("mode", "single", "threads", slots, "first_batch_s", round(first), "questions_per_s", round(q))));
            return q;
        }
    }

    private double spark(String master, PredictSpec spec, int n, int[][] batches, Map<String, String> conf) throws Exception {
        SparkOptions o = new SparkOptions();
        o.master = master;
        o.taskThreads = 1;
        o.conf.putAll(conf);
        long t0 = System.nanoTime();
        SparkSession s = Sessions.start("lxmert-spark bench", o);
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
            double start = (System.nanoTime() - t0) / 1e9;
            // partitions: a few per slot, so a slot that finishes early takes more work
            int parts = Math.min(batches.length, 4 * slots);
            t0 = System.nanoTime();
            SparkTestCommand.predict(jsc, spec, batches, parts);
            double first = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            List<Predictions.Part> last = new ArrayList<>();
            for (int r = 0; r < repeat; r++) last = SparkTestCommand.predict(jsc, spec, batches, parts);
            double secs = (System.nanoTime() - t0) / 1e9;
            double q = n * (double) repeat / secs;
            long jvms = last.stream().map(Predictions.Part::pid).distinct().count();
            System.out.println(json(obj("mode", master, "threads_per_task", 1, "partitions", parts, "executor_jvms", jvms,
                    "session_start_s", round(start), "first_job_s", round(first), "questions_per_s", round(q))));
            return q;
        } finally {
            s.stop();
        }
    }

    /** An ordered map of key, value pairs. */
    private static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    private static String json(Map<String, ?> m) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new LinkedHashMap<>(m));
    }

    static String cpu() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).strip();
            }
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
