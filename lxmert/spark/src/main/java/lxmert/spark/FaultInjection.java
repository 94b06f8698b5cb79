package lxmert.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * A test hook: with {@code spark.lxmert.test.haltExecutor=true} the executor JVM that ran the first attempt of
 * partition 0 halts (as a killed JVM: no shutdown hooks, no result) right after predicting it, so the local-cluster
 * test can check that Spark retries the task elsewhere and the prediction file is unchanged. Off unless set.
 */
final class FaultInjection {
    static final String HALT = "spark.lxmert.test.haltExecutor";

    private FaultInjection() {}

    static void afterPartition() {
        TaskContext tc = TaskContext.get();
        SparkEnv env = SparkEnv.get();
        if (tc == null || env == null || !env.conf().getBoolean(HALT, false)) return;
        if (tc.partitionId() == 0 && tc.attemptNumber() == 0 && tc.stageAttemptNumber() == 0 && !"driver".equals(env.executorId())) {
            Runtime.getRuntime().halt(137);
        }
    }
}
