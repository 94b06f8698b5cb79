package lxmert.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What an executor needs to predict a split: the snapshot and the model's shape (task, config JSON, answers,
 * vocabulary), the data root and split, and the engine threads per task. Paths must be readable on every executor
 * (a shared filesystem, or files shipped with {@code --files} under the same path).
 *
 * @param label2ans the head's answer table (a run folder's), or null for the data root's
 * @param parquet   a folder of Parquet feature datasets to read the features from, or null for the TSVs' stores
 */
public record PredictSpec(String task, String snapshot, String configJson, int numAnswers, List<String> label2ans,
                          String vocab, String data, String split, int taskThreads, String parquet) implements Serializable {
    public PredictSpec {
        label2ans = label2ans == null ? null : List.copyOf(label2ans);
    }

    /** What makes a model: one per executor JVM for each distinct key. */
    public record ModelKey(String task, String snapshot, String configJson, int numAnswers, List<String> label2ans, String vocab) {}

    /** What makes a split's examples. */
    public record DataKey(String task, String data, String split, String vocab, List<String> label2ans, String parquet) {}

    ModelKey modelKey() {
        return new ModelKey(task, snapshot, configJson, numAnswers, label2ans, vocab);
    }

    DataKey dataKey() {
        return new DataKey(task, data, split, vocab, label2ans, parquet);
    }
}
