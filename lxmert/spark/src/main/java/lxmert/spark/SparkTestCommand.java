package lxmert.spark;

import lxmert.cli.TestArgs;
import lxmert.config.LxmertConfig;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Snapshots;
import lxmert.tasks.TaskData;
import lxmert.tasks.Tester;
import lxmert.train.TrainingLoop;
import lxmert.util.Check;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code lxmert-spark test}: {@code lxmert test} over a Spark cluster. The driver reads the split, cuts the
 * single-JVM batch order into partitions of whole batches, executors predict them with the model their JVM loaded
 * once ({@link ModelHolder}), and the driver writes the same prediction file as {@code lxmert test}, atomically
 * (a temporary file renamed into place after the job succeeded).
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Predict a split over Spark; writes OUTPUT/<split>_predict.json (vqa, gqa) or .csv (nlvr2), as lxmert test.")
public final class SparkTestCommand implements Callable<Integer> {
    @Mixin TestArgs args;
    @Mixin SparkOptions spark;
    @picocli.CommandLine.Option(names = "--parquet", description = "read the features from this folder of Parquet datasets "
            + "(features --tsv ... --out DIR) instead of the TSVs' stores") Path parquet;

    @Override
    public Integer call() throws Exception {
        TestArgs.Resolved t = args.resolve(SparkMain.warn("test"));
        if (!t.device().startsWith("cpu")) SparkMain.warn("test").accept("executors predict on their CPUs; --device " + t.device() + " is not used");
        Result r = run(t.model(), args.load, args.test, args.output, args.batchSize, spark, parquet);
        for (String line : r.tester().dataSummary()) System.err.println(line);
        System.err.println("wrote " + r.tester().file() + " (" + r.tester().n() + " predictions)");
        System.err.println(r.jvms());
        Tester.Result tr = r.tester();
        String labelled = tr.labelled() > 0 && tr.labelled() < tr.n() ? ", \"labelled\": " + tr.labelled() : "";
        if (Double.isNaN(tr.accuracy())) {
            System.out.printf(Locale.ROOT, "{\"accuracy\": null, \"n\": %d}%n", tr.n());
        } else {
            System.out.printf(Locale.ROOT, "{\"accuracy\": %s, \"n\": %d%s}%n", Double.toString(tr.accuracy() * 100), tr.n(), labelled);
        }
        return 0;
    }

    /** The outcome: the single-JVM result, which JVMs predicted (pid -> models loaded), and a line saying so. */
    public record Result(Tester.Result tester, Map<String, Integer> loadsByJvm, String jvms) {}

    /** The spec executors need for {@code model} and {@code snapshot}; the config resolved as {@code Tester} does. */
    static PredictSpec spec(RunFolder.Model model, Path snapshot, String split, int taskThreads, Path parquet) throws IOException {
        Path file = Snapshots.resolveLoad(snapshot).toAbsolutePath().normalize();
        Check.file("--load", file);
        LxmertConfig config = model.config();
        if (config == null) {
            Path cj = file.resolveSibling("config.json");
            config = Files.isRegularFile(cj) ? LxmertConfig.load(cj) : LxmertConfig.lxr955();
        }
        int n = model.label2ans() != null ? model.label2ans().size() : model.task().recipe().numAnswers(model.data());
        return new PredictSpec(model.task().id, file.toString(), config.toJson(), n, model.label2ans(),
                model.vocab().toAbsolutePath().normalize().toString(), model.data().toAbsolutePath().normalize().toString(),
                split, taskThreads, parquet == null ? null : parquet.toAbsolutePath().normalize().toString());
    }

    /** Predicts {@code split} over Spark and writes the prediction file into {@code outDir}. */
    public static Result run(RunFolder.Model model, Path snapshot, String split, Path outDir, int batchSize, SparkOptions o,
                             Path parquet) throws Exception {
        PredictSpec spec = spec(model, snapshot, split, o.taskThreads(), parquet);
        Files.createDirectories(outDir);
        // the driver reads the split (and converts a feature TSV to its store once, before any executor needs it)
        try (TaskData d = ModelHolder.load(model.task(), ModelHolder.options(spec.data(), spec.parquet()), split, Path.of(spec.vocab()), model.label2ans())) {
            int[][] batches = TrainingLoop.batches(d.size(), batchSize, false, false, 0);
            SparkSession session = Sessions.start("lxmert-spark test", o);
            List<Predictions.Part> parts;
            try {
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
                Progress.attach(jsc, "test " + model.task().id + " " + split);
                int p = o.partitions != null ? o.partitions : jsc.defaultParallelism();
                parts = predict(jsc, spec, batches, p);
            } finally {
                session.stop();
            }
            int[] labels = new int[d.size()];
            float[] probs = new float[d.size()];
            Predictions.gather(parts, d.size(), labels, probs);
            Tester.Result tr = writeAtomically(model, d, labels, probs, split, outDir);
            Map<String, Integer> jvms = new TreeMap<>();
            for (Predictions.Part part : parts) jvms.merge(part.pid() + "@" + part.host(), part.loads(), Math::max);
            return new Result(tr, jvms, "predicted in " + parts.size() + " partition(s) by " + jvms.size()
                    + " JVM(s); models loaded per JVM: " + jvms);
        }
    }

    /** The job: {@code batches} cut into {@code partitions} runs of whole batches, predicted on the executors. */
    static List<Predictions.Part> predict(JavaSparkContext jsc, PredictSpec spec, int[][] batches, int partitions) {
        List<int[][]> slices = Predictions.split(batches, partitions);
        JavaRDD<int[][]> rdd = jsc.parallelize(slices, Math.max(1, slices.size()));
        return rdd.mapPartitions(it -> {
            java.util.Iterator<Predictions.Part> r = Predictions.partition(spec, flatten(it));
            FaultInjection.afterPartition();
            return r;
        }).collect();
    }

    private static java.util.Iterator<int[]> flatten(java.util.Iterator<int[][]> it) {
        List<int[]> all = new ArrayList<>();
        it.forEachRemaining(s -> all.addAll(List.of(s)));
        return all.iterator();
    }

    /** Writes the prediction file into a temporary folder of {@code outDir} and renames it into place. */
    static Tester.Result writeAtomically(RunFolder.Model model, TaskData d, int[] labels, float[] probs, String split, Path outDir)
            throws IOException {
        Path tmp = Files.createTempDirectory(outDir, ".lxmert-spark-");
        try {
            Tester.Result r = Tester.result(model.task(), d, labels, probs, split, tmp);
            Path dest = outDir.resolve(r.file().getFileName());
            try {
                Files.move(r.file(), dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(r.file(), dest, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Tester.Result(r.accuracy(), r.n(), dest, r.rows(), r.labelled(), r.dataSummary());
        } finally {
            try (var s = Files.walk(tmp)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}
