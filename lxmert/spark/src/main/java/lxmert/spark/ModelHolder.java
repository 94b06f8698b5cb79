package lxmert.spark;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Task;
import lxmert.tasks.TaskData;
import lxmert.tasks.Tester;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.util.EngineThreads;
import lxmert.util.Natives;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an executor JVM holds for the {@code test} job: the model of each snapshot, loaded once per JVM (a static
 * holder keyed by the snapshot and what shapes its model, not per task or per partition), and the examples of each
 * split (question files and memory-mapped features). The engine's threads are set once per JVM, by the first load, to
 * {@code --task-threads}. Tasks of one executor share a model: a forward pass in eval mode without gradients only
 * reads its parameters.
 */
public final class ModelHolder {
    private static final Map<PredictSpec.ModelKey, Tester> MODELS = new HashMap<>();
    private static final Map<PredictSpec.DataKey, TaskData> DATA = new HashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static Integer threads;

    private ModelHolder() {}

    /** How many models this JVM has loaded (the local-cluster test checks it is one per executor). */
    public static int loads() {
        return LOADS.get();
    }

    /** The model of {@code spec}, loading it on first use in this JVM. */
    public static synchronized Tester model(PredictSpec spec) {
        prepare(spec.taskThreads());
        return MODELS.computeIfAbsent(spec.modelKey(), k -> {
            try {
                Tester t = new Tester(Task.parse(k.task()), Path.of(k.snapshot()), LxmertConfig.fromJson(k.configJson(), k.snapshot()),
                        k.numAnswers(), k.label2ans(), Path.of(k.vocab()), "cpu", lxmert.util.Precision.FP32);
                LOADS.incrementAndGet();
                return t;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The examples of {@code spec}'s split, loaded on first use in this JVM. */
    public static synchronized TaskData data(PredictSpec spec) {
        return DATA.computeIfAbsent(spec.dataKey(), k -> {
            try {
                return load(Task.parse(k.task()), options(k.data(), k.parquet()), k.split(), Path.of(k.vocab()), k.label2ans());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The data options of {@code data}, features from the Parquet datasets of {@code parquet} when non-null. */
    static DataOptions options(String data, String parquet) throws IOException {
        DataOptions o = DataOptions.of(Path.of(data));
        return parquet == null ? o : o.withStores(ParquetStores.of(Path.of(parquet)));
    }

    /** Loads split(s) {@code split} as {@code lxmert test} does. */
    static TaskData load(Task task, DataOptions data, String split, Path vocab, java.util.List<String> label2ans) throws IOException {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(vocab), FinetuneOptions.SEQ_LEN);
        return task.recipe().load(data, split, enc, label2ans);
    }

    /** Loads the engine (offline unless told otherwise) and sets its threads, once per JVM. */
    private static void prepare(int n) {
        if (threads != null) return;
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        Natives.prepare(false, m -> {});
        EngineThreads.set(n, System.err::println);
        threads = n;
    }
}
