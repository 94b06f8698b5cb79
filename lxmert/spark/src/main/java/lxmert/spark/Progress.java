package lxmert.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.StageInfo;

import java.util.Locale;

/** One progress line per finished stage on the driver's stderr. */
final class Progress extends SparkListener {
    private final String what;

    private Progress(String what) {
        this.what = what;
    }

    static void attach(JavaSparkContext jsc, String what) {
        jsc.sc().addSparkListener(new Progress(what));
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        if (e.reason() instanceof TaskFailedReason f) {
            TaskInfo t = e.taskInfo();
            System.err.printf(Locale.ROOT, "lxmert-spark %s: task %d (partition %d, attempt %d) on executor %s failed: %s%n", what,
                    t.taskId(), t.partitionId(), t.attemptNumber(), t.executorId(), f.toErrorString().strip().split("\\R", 2)[0]);
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted e) {
        StageInfo s = e.stageInfo();
        long ms = s.completionTime().isDefined() && s.submissionTime().isDefined()
                ? (Long) s.completionTime().get() - (Long) s.submissionTime().get() : -1;
        String state = s.failureReason().isDefined() ? "failed: " + s.failureReason().get().strip().split("\\R", 2)[0] : "done";
        System.err.printf(Locale.ROOT, "lxmert-spark %s: stage %d (%d tasks) %s in %.1f s%n", what, s.stageId(), s.numTasks(), state, ms / 1000.0);
    }
}
