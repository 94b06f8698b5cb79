package lxmert.spark;

import lxmert.util.Check;
import picocli.CommandLine.Option;

/** The options every {@code lxmert-spark} command shares: where Spark runs and how work is split. */
public final class SparkOptions {
    @Option(names = "--master", description = "Spark master URL (default: spark.master when set, as spark-submit does, else local[*])")
    public String master;
    @Option(names = "--partitions", converter = Check.PositiveInt.class,
            description = "partitions of the job (default: Spark's default parallelism)")
    public Integer partitions;
    @Option(names = "--task-threads", converter = Check.PositiveInt.class,
            description = "engine threads per task, set once per executor JVM (spark.task.cpus follows; default 1)")
    public Integer taskThreads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark property, as spark-submit --conf (repeatable)")
    public java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

    /** Engine threads per task (1 unless given). */
    public int taskThreads() {
        return taskThreads == null ? 1 : taskThreads;
    }
}
