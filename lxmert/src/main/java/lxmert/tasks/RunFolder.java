package lxmert.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import lxmert.config.LxmertConfig;
import lxmert.data.Json;
import lxmert.tasks.pretrain.Pretrainer;
import lxmert.train.Run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A fine-tuning run folder that describes itself (written by {@link Run}; a pretraining run's folder has one too,
 * which {@link #near} skips and {@link #open} refuses) (like HuggingFace's {@code save_pretrained}): besides the snapshots
 * it holds {@code config.json}, a copy of the vocabulary ({@code vocab.txt}), the answer table the head was trained
 * with ({@code label2ans.json}) and {@code run.json}: task, data root, splits, the training hyper-parameters and the
 * SHA-256 of the vocabulary and answer-table copies. {@code test}, {@code evaluate --run}, {@code finetune --resume},
 * {@code --load RUN/BEST} and the notebook objects read it, so the folder is all they need.
 *
 * <p>Explicit options override what the folder recorded ({@link Chooser}); a disagreement is reported as a warning.
 * A referenced file whose checksum differs from the recorded one is an error naming the file.
 */
public final class RunFolder {
    public static final String RUN_JSON = Run.RUN_JSON;
    public static final String VOCAB = Run.VOCAB;
    public static final String CONFIG = Run.CONFIG;

    private final Path dir;
    private final JsonNode json;
    private final Task task;
    private final List<String> label2ans;

    private RunFolder(Path dir, JsonNode json, Task task, List<String> label2ans) {
        this.dir = dir;
        this.json = json;
        this.task = task;
        this.label2ans = label2ans;
    }

    /** Whether {@code dir} holds a {@code run.json}. */
    public static boolean isRunFolder(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve(RUN_JSON));
    }

    /**
     * The fine-tuning run folder a snapshot or folder belongs to: {@code p} itself when it is a folder with
     * {@code run.json}, else the folder of the snapshot {@code p} (X, X.pth) when that holds one; null when there is
     * none or it is a pretraining run's (its {@code _LXRT.pth} weights are loaded by {@code --load-lxmert[-qa]}).
     */
    public static RunFolder near(Path p) throws IOException {
        if (p == null) return null;
        Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
        return dir != null && isRunFolder(dir) && !Pretrainer.TASK.equals(Json.read(dir.resolve(RUN_JSON)).path("task").asText())
                ? open(dir) : null;
    }

    /** Reads {@code dir/run.json} and verifies the checksums of the files it references. */
    public static RunFolder open(Path dir) throws IOException {
        Path f = dir.resolve(RUN_JSON);
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException("not a run folder: " + f + " not found");
        JsonNode j = Json.object(f, Json.read(f), "top level");
        if (Pretrainer.TASK.equals(j.path("task").asText())) {
            throw new IllegalArgumentException(dir + " is a pretraining run (" + f + "), not a fine-tuning run; its weights are "
                    + "loaded with --load-lxmert or --load-lxmert-qa " + dir.resolve("BEST_EVAL_LOSS"));
        }
        Task task = Task.parse(Json.text(f, j, "task", "top level"));
        for (String k : new String[] {"vocab", "answers"}) {
            JsonNode ref = Json.object(f, Json.get(f, j, k, "top level"), "key '" + k + "'");
            Path file = dir.resolve(Json.text(f, ref, "file", "key '" + k + "'"));
            String want = Json.text(f, ref, "sha256", "key '" + k + "'");
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": missing (listed in " + f + ")");
            String got = Run.sha256(Files.readAllBytes(file));
            if (!got.equals(want)) {
                throw new IllegalArgumentException(file + ": SHA-256 " + got + " does not match " + want + " recorded in " + f
                        + " (the file was changed after the run)");
            }
        }
        Path af = dir.resolve(j.get("answers").get("file").asText());
        JsonNode arr = Json.array(af, Json.read(af), "top level");
        List<String> l2a = new ArrayList<>(arr.size());
        for (JsonNode n : arr) l2a.add(n.asText());
        return new RunFolder(dir, j, task, List.copyOf(l2a));
    }

    public Path dir() { return dir; }
    public Task task() { return task; }
    public Path dataRoot() { return Path.of(json.path("data").asText()); }
    public String trainSplits() { return json.path("train").asText(); }
    public String validSplit() { return json.path("valid").asText(); }
    /** The vocabulary copy in the folder. */
    public Path vocab() { return dir.resolve(json.path("vocab").path("file").asText(VOCAB)); }
    /** The answer table the head was trained with (label index -> answer). */
    public List<String> label2ans() { return label2ans; }
    public Path configFile() { return dir.resolve(json.path("config").asText(CONFIG)); }

    /** The model config of the run ({@code config.json}); null when the folder has none yet. */
    public LxmertConfig config() throws IOException {
        Path c = configFile();
        return Files.isRegularFile(c) ? LxmertConfig.load(c) : null;
    }

    /** A training hyper-parameter recorded under {@code training} (epochs, batch_size, accumulate, lr, seed, mce_loss); null if absent. */
    public JsonNode training(String key) {
        JsonNode n = json.path("training").get(key);
        return n == null || n.isNull() ? null : n;
    }

    /** Whether the vocabulary file {@code other} has the same content as the run's copy. */
    public boolean sameVocab(Path other) throws IOException {
        return Files.isRegularFile(other) && Run.sha256(Files.readAllBytes(other)).equals(json.path("vocab").path("sha256").asText());
    }

    /**
     * Picks each setting from an explicit option or the run folder: an option that was not given takes the recorded
     * value; one that was given wins, with a warning when it disagrees with the record. Without a run folder the
     * option's value (or default) is used unchanged.
     */
    public static final class Chooser {
        private final RunFolder run;
        private final Predicate<String> given;
        private final Consumer<String> warn;

        /**
         * @param run   the run folder, or null
         * @param given whether an option (by its long name, e.g. {@code --task}) was given explicitly
         * @param warn  where warnings go (one line each)
         */
        public Chooser(RunFolder run, Predicate<String> given, Consumer<String> warn) {
            this.run = run;
            this.given = given;
            this.warn = warn;
        }

        public RunFolder run() { return run; }

        public <T> T pick(String option, T value, Function<RunFolder, T> recorded) {
            return pick(option, value, recorded, Objects::equals);
        }

        public <T> T pick(String option, T value, Function<RunFolder, T> recorded, BiPredicate<T, T> same) {
            if (run == null) return value;
            T rec = recorded.apply(run);
            if (rec == null) return value;
            if (value == null || !given.test(option)) return rec;
            if (!same.test(value, rec)) {
                warn.accept("warning: " + option + " " + value + " differs from " + rec + " recorded in "
                        + run.dir().resolve(RUN_JSON) + "; using " + value);
            }
            return value;
        }

        /** The data root: {@code --data} if given, else the recorded one, else {@code value} (the option default). */
        public Path data(Path value) {
            return pick("--data", value, RunFolder::dataRoot,
                    (a, b) -> a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize()));
        }

        /** The vocabulary: {@code --vocab} if given (warning when its content differs), else the run's copy. */
        public Path vocab(Path value) {
            if (run == null) return value;
            if (value == null || !given.test("--vocab")) return run.vocab();
            try {
                if (!run.sameVocab(value)) {
                    warn.accept("warning: --vocab " + value + " differs from the vocabulary " + run.vocab() + " recorded in "
                            + run.dir().resolve(RUN_JSON) + "; using " + value);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--vocab " + value + ": cannot read: " + e.getMessage(), e);
            }
            return value;
        }

        /** The task: {@code --task} if given, else the recorded one; an error naming {@code what} when neither exists. */
        public Task task(String value, String what) {
            Task explicit = value == null ? null : Task.parse(value);
            if (run == null) {
                if (explicit == null) throw new IllegalArgumentException("--task is required (no " + RUN_JSON + " " + what + ")");
                return explicit;
            }
            return Task.parse(pick("--task", explicit == null ? null : explicit.id, r -> r.task().id));
        }

        /** The config: {@code --config} if given, else the run's {@code config.json}, else {@code fallback}. */
        public LxmertConfig config(String value, LxmertConfig fallback) throws IOException {
            return config(value, value == null ? null : LxmertConfig.resolve(value), fallback);
        }

        private LxmertConfig config(String name, LxmertConfig explicit, LxmertConfig fallback) throws IOException {
            LxmertConfig rec = run == null ? null : run.config();
            if (rec == null) return explicit != null ? explicit : fallback;
            if (explicit == null || !given.test("--config")) return rec;
            if (!explicit.equals(rec)) {
                warn.accept("warning: --config " + name + " differs from " + run.configFile() + "; using " + name);
            }
            return explicit;
        }

        /**
         * What using a snapshot needs (test, load): task, data root, config (null = {@code config.json} beside the
         * snapshot, else lxr955), vocabulary and the answer table of the head (null = the data root's).
         *
         * @param where where run.json was looked for, for the error when {@code --task} is missing
         */
        public Model model(String task, Path data, String config, Path vocab, String where) throws IOException {
            return model(task, data, config, config == null ? null : LxmertConfig.resolve(config), vocab, where);
        }

        /** As {@link #model(String, Path, String, Path, String)} from Java values (null = not given). */
        public Model model(Task task, Path data, LxmertConfig config, Path vocab, String where) throws IOException {
            return model(task == null ? null : task.id, data, "(given)", config, vocab, where);
        }

        private Model model(String task, Path data, String configName, LxmertConfig config, Path vocab, String where)
                throws IOException {
            Task t = task(task, where);
            Path d = data(data == null ? Path.of("data") : data);
            LxmertConfig c = config(configName, config, null);
            Path v = run == null ? defaultVocab(vocab, d) : vocab(vocab);
            List<String> l2a = run != null && run.task() == t ? run.label2ans() : null;
            return new Model(t, d, c, v, l2a);
        }

        /**
         * Fine-tuning options with what the run folder recorded for the options not given: the config and
         * vocabulary always; with {@code resume} also the splits and the training hyper-parameters (epochs, batch
         * size, lr, seed, mce loss), so {@code finetune --output RUN --resume} needs nothing else. The task and the
         * data root are chosen before ({@link #task}, {@link #data}).
         */
        public FinetuneOptions finetune(FinetuneOptions o, String configName, boolean resume) throws IOException {
            if (run == null) return o;
            FinetuneOptions.Builder b = o.toBuilder();
            b.config(config(configName, o.config(), o.config()));
            b.vocab(vocab(given.test("--vocab") ? o.vocab() : null));
            if (resume) {
                b.splits(pick("--train", o.trainSplits(), RunFolder::trainSplits),
                        pick("--valid", o.validSplit(), RunFolder::validSplit));
                b.epochs(pick("--epochs", o.epochs(), r -> r.training("epochs") == null ? null : r.training("epochs").asInt()));
                b.batchSize(pick("--batch-size", o.batchSize(),
                        r -> r.training("batch_size") == null ? null : r.training("batch_size").asInt()));
                b.accumulate(pick("--accumulate", o.accumulate(),
                        r -> r.training("accumulate") == null ? null : r.training("accumulate").asInt()));
                b.lr(pick("--lr", o.lr(), r -> r.training("lr") == null ? null : r.training("lr").asDouble()));
                b.seed(pick("--seed", o.seed(), r -> r.training("seed") == null ? null : r.training("seed").asLong()));
                b.mceLoss(pick("--mce-loss", o.mceLoss(),
                        r -> r.training("mce_loss") == null ? null : r.training("mce_loss").asBoolean()));
            }
            return b.build();
        }
    }

    /**
     * What using a snapshot needs, from options and run folder.
     *
     * @param config    null: {@code config.json} beside the snapshot, else lxr955
     * @param label2ans the answer table of the head; null: the data root's
     */
    public record Model(Task task, Path data, LxmertConfig config, Path vocab, List<String> label2ans) {
        /** Loads {@code snapshot} into a {@link Tester}, in {@code precision} (fp16: GPU only). */
        public Tester tester(Path snapshot, String device, lxmert.util.Precision precision) throws IOException {
            int n = label2ans != null ? label2ans.size() : task.recipe().numAnswers(data);
            return new Tester(task, snapshot, config, n, label2ans, vocab, device, precision);
        }
    }

    /** The CLI's vocabulary default: {@code vocab}, else DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt. */
    public static Path defaultVocab(Path vocab, Path data) {
        if (vocab != null) return vocab;
        Path real = data.resolve("bert-base-uncased-vocab.txt");
        Path synth = data.resolve("synth-vocab.txt");
        if (!Files.exists(real) && Files.exists(synth)) return synth;
        return real;
    }
}
