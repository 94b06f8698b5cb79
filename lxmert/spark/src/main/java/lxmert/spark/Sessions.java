package lxmert.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the Spark session of a command. The master is {@code --master} when given, else {@code spark.master} when
 * set (spark-submit sets it), else {@code local[*]}; {@code spark.task.cpus} follows {@code --task-threads}, and a
 * {@code spark.task.cpus} set elsewhere that disagrees with it is refused with a message naming both.
 */
public final class Sessions {
    private Sessions() {}

    /** The master a session of these options runs on. */
    static String master(SparkOptions o, SparkConf conf) {
        if (o.master != null) return o.master;
        return conf.contains("spark.master") ? conf.get("spark.master") : "local[*]";
    }

    /** Starts (or joins) the session for {@code app}. */
    public static SparkSession start(String app, SparkOptions o) {
        SparkConf conf = new SparkConf(); // spark.* system properties, as spark-submit passes them
        for (var e : o.conf.entrySet()) conf.set(e.getKey(), e.getValue());
        String master = master(o, conf);
        checkMaster(master);
        if (conf.contains("spark.task.cpus")) {
            int cpus;
            try {
                cpus = Integer.parseInt(conf.get("spark.task.cpus").strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("spark.task.cpus: not a number: " + conf.get("spark.task.cpus"));
            }
            if (o.taskThreads != null && cpus != o.taskThreads) {
                throw new IllegalArgumentException("spark.task.cpus is " + cpus + " but --task-threads is " + o.taskThreads
                        + ": each task runs the engine on --task-threads threads, so Spark must reserve as many cores"
                        + " (give the same number to both, or only --task-threads)");
            }
            if (o.taskThreads == null) o.taskThreads = cpus;
        }
        conf.set("spark.task.cpus", Integer.toString(o.taskThreads()));
        if (!conf.contains("spark.app.name")) conf.setAppName(app);
        conf.setMaster(master);
        try {
            return SparkSession.builder().config(conf).getOrCreate();
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().contains("Could not parse Master URL")) {
                throw new IllegalArgumentException("--master: could not parse the master URL '" + master + "'");
            }
            throw e;
        }
    }

    private static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
            "local|local\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?]|local-cluster\\[[1-9][0-9]*,\\s*[1-9][0-9]*,\\s*[1-9][0-9]*]"
            + "|spark://.+|k8s://.+|yarn|connect://.+");

    /** The master URLs Spark knows, checked before a session starts (Spark would log its own stack trace first). */
    static void checkMaster(String master) {
        if (!MASTER.matcher(master.strip()).matches()) {
            throw new IllegalArgumentException("--master: could not parse the master URL '" + master + "' (local, local[N], "
                    + "local[*], local-cluster[N,C,MB], spark://HOST:PORT, k8s://URL or yarn)");
        }
    }
}
