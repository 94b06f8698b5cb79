package lxmert.kernel.lib;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.model.LxrtOutput;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.HostBatch;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Task;
import lxmert.tasks.TaskData;
import lxmert.tasks.TaskNet;
import lxmert.tasks.Tester;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.text.Vocab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A task snapshot loaded for use in later cells ({@code %lxmert load}): predicts splits ({@link #test}) and shows
 * what the model attends to ({@link #attention}). Wraps the library's {@link Tester}; close it to free the model.
 *
 * <pre>
 * var model = LoadedModel.open(Task.VQA, Path.of("snap/vqa/BEST"), null, Path.of("data"), null, "cpu");
 * var preds = model.test("minival", Path.of("snap/vqa"));
 * display(model.attention("minival", 0, 0).heatMap());
 * </pre>
 */
public final class LoadedModel implements AutoCloseable {
    private final Task task;
    private final Path snapshot;
    private final Path dataRoot;
    private final Path vocab;
    private final Tester tester;

    private LoadedModel(Task task, Path snapshot, Path dataRoot, Path vocab, Tester tester) {
        this.task = task;
        this.snapshot = snapshot;
        this.dataRoot = dataRoot;
        this.vocab = vocab;
        this.tester = tester;
    }

    /**
     * Loads {@code snapshot} with the answer head of {@code task} under {@code dataRoot}.
     *
     * Arguments that are null come from the snapshot's run folder ({@code run.json} beside it) when there is one.
     *
     * @param task   null: the run folder's
     * @param config null: the run folder's, else {@code config.json} beside the snapshot, else lxr955
     * @param dataRoot null: the run folder's, else {@code data}
     * @param vocab  null: the run folder's copy, else DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt
     */
    public static LoadedModel open(Task task, Path snapshot, LxmertConfig config, Path dataRoot, Path vocab,
                                   String device) throws IOException {
        return open(task, snapshot, config, dataRoot, vocab, device, lxmert.util.Precision.FP32);
    }

    /** As above, in {@code precision} (fp16: GPU only; LayerNorm and softmax stay float32). */
    public static LoadedModel open(Task task, Path snapshot, LxmertConfig config, Path dataRoot, Path vocab,
                                   String device, lxmert.util.Precision precision) throws IOException {
        RunFolder.Chooser ch = new RunFolder.Chooser(RunFolder.near(snapshot), name -> switch (name) {
            case "--task" -> task != null;
            case "--data" -> dataRoot != null;
            case "--config" -> config != null;
            case "--vocab" -> vocab != null;
            default -> false;
        }, System.out::println);
        return open(ch.model(task, dataRoot, config, vocab, "beside " + snapshot), snapshot, device, precision);
    }

    /**
     * Loads the snapshot of a run folder ({@code RUN/BEST}, {@code RUN/LAST} or {@code RUN}): task, data root,
     * config, vocabulary and answer table come from the folder's {@code run.json}.
     */
    public static LoadedModel open(Path snapshot) throws IOException {
        return open(null, snapshot, null, null, null, "cpu");
    }

    /** Loads {@code snapshot} with what {@link RunFolder.Chooser#model} resolved from options and run folder. */
    public static LoadedModel open(RunFolder.Model m, Path snapshot, String device) throws IOException {
        return open(m, snapshot, device, lxmert.util.Precision.FP32);
    }

    /** As above, in {@code precision}. */
    public static LoadedModel open(RunFolder.Model m, Path snapshot, String device, lxmert.util.Precision precision)
            throws IOException {
        return new LoadedModel(m.task(), snapshot, m.data(), m.vocab(), m.tester(snapshot, device, precision));
    }

    /** The CLI's vocabulary default: {@code vocab}, else DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt. */
    public static Path defaultVocab(Path vocab, Path data) {
        return RunFolder.defaultVocab(vocab, data);
    }

    public Task task() {
        return task;
    }

    public Path snapshot() {
        return snapshot;
    }

    public Tester tester() {
        return tester;
    }

    public TaskNet net() {
        return tester.net();
    }

    /** Predicts {@code split}; writes the prediction / submission file into {@code outDir} when non-null. */
    public Predictions test(String split, Path outDir) throws IOException {
        return test(DataOptions.of(dataRoot), split, outDir, 1024);
    }

    public Predictions test(DataOptions data, String split, Path outDir, int batchSize) throws IOException {
        return new Predictions(task, split, tester.test(data, split, outDir, batchSize));
    }

    /**
     * The attention probabilities of example {@code index} of {@code split} in cross-modality layer {@code layer}
     * (0-based): words attending to boxes (language-to-vision cross attention), averaged over the heads.
     */
    public AttentionMap attention(String split, int index, int layer) throws IOException {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(vocab), FinetuneOptions.SEQ_LEN);
        Vocab words = Vocab.load(vocab);
        try (TaskData d = task.recipe().load(DataOptions.of(dataRoot), split, enc, null)) {
            Tester.Row row = task.recipe().row(d, checkIndex(index, d), 0, Double.NaN); // for its id and sentence
            return attention(d, index, layer, words, row.id() + (d.imagesPerExample() > 1 ? " (left image)" : ""), row.sent());
        }
    }

    private static int checkIndex(int index, TaskData d) {
        if (index < 0 || index >= d.size()) {
            throw new IllegalArgumentException("example index " + index + " out of range: the split has " + d.size());
        }
        return index;
    }

    private AttentionMap attention(TaskData d, int index, int layer, Vocab words, String id, String sentence) {
        int layers = tester.net().bert().config().x_layers();
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("cross-modality layer " + layer + " out of range: the model has " + layers);
        }
        HostBatch b = d.fill(d.allocate(1), new int[]{index});
        tester.net().module().setTraining(false);
        try (NDManager m = NDManager.newBaseManager()) {
            LxrtOutput.Trace trace = new LxrtOutput.Trace(true);
            tester.net().forward(TaskNet.inputs(m, b), trace);
            // per x layer: cross attention lang->visn, then lang self-attention
            NDArray att = trace.crossLangAttentions.get(2 * layer).get(0).mean(new int[]{0}); // [T, N]
            int tokens = 0;
            for (int t = 0; t < b.seqLen; t++) if (b.inputMask[t] != 0) tokens++;
            int boxes = b.boxes;
            float[] all = att.toFloatArray();
            int cols = (int) att.getShape().get(1);
            List<String> toks = new ArrayList<>();
            double[][] p = new double[tokens][boxes];
            for (int t = 0; t < tokens; t++) {
                toks.add(words.token((int) b.inputIds[t]));
                for (int k = 0; k < boxes; k++) p[t][k] = all[t * cols + k];
            }
            return new AttentionMap(id, sentence, layer, toks, p);
        }
    }

    @Override
    public void close() {
        tester.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LoadedModel[%s, %s, %,d parameters]", task.id, snapshot,
                tester.net().module().parameterCount());
    }
}
