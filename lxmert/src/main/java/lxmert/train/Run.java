package lxmert.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.config.LxmertConfig;
import lxmert.text.Vocab;
import lxmert.util.Devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run of a {@link Recipe}, whatever the task: the option checks, the devices (several: data
 * parallel), the run folder ({@code config.json}, the vocabulary and answer-table copies, {@code run.json}; stale
 * temporaries of a killed run removed), the {@link Trainer} and {@link TrainingLoop} wiring, the resume state
 * ({@link State}, Jackson) and {@code log.log}. The recipe brings the data, the model, the step and the epoch end.
 */
public final class Run<H, D, E> implements AutoCloseable {
    public static final String RUN_JSON = "run.json";
    public static final String VOCAB = "vocab.txt";
    public static final String ANSWERS = "label2ans.json";
    public static final String CONFIG = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What every run is given.
     *
     * @param task     the run's name (vqa, gqa, nlvr2, pretrain): listeners, {@code run.json}, resume identity
     * @param data     the data root, recorded in {@code run.json}
     * @param warmup   warm-up fraction of the schedule; {@code clip} the gradient-norm clip
     * @param identity settings a resumed run must share besides task, training splits, lr, batch size, epochs, seed
     * @param recorded training settings recorded in {@code run.json} besides epochs, batch size, accumulate, lr, seed
     */
    public record Settings(String task, Path data, String train, String valid, Path output, LxmertConfig config, Path vocab,
                           int epochs, int batchSize, int accumulate, double lr, long seed, String device, boolean resume,
                           boolean saveSnapshots, double warmup, double clip, Map<String, String> identity,
                           Map<String, Object> recorded) {
        public Settings {
            TrainingLoop.checkBatching(epochs, batchSize, accumulate);
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        }
    }

    /** Opens a recipe: loads its data (after the checks that need no data). */
    public interface Opener<R> {
        R open() throws IOException;
    }

    /** The outcome: the epochs' metrics, the best valid value, and the loop's figures. */
    public record Result<E>(List<E> history, double best, boolean interrupted, double trainSeconds, double examplesPerSec,
                            double dataWaitFraction, Path output) {
        /** The last epoch's metrics; null before the first epoch ended. */
        public E last() { return history.isEmpty() ? null : history.get(history.size() - 1); }
    }

    /** The resume state of the epochs: the best valid value (null: none yet) and the history; reads the older key names. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record State<E>(@JsonAlias({"best_valid", "best_eval_loss"}) Double best, List<E> history) {}

    /** The best valid value so far; a better one offered saves the BEST snapshot. */
    public static final class Best {
        private final Recipe.Objective objective;
        private final Recipe<?, ?, ?> recipe;
        private final Path dir;
        private double value;

        Best(Recipe<?, ?, ?> recipe, Path dir) {
            this.recipe = recipe;
            this.objective = recipe.objective();
            this.dir = dir;
            this.value = objective.initial();
        }

        public double value() {
            return value;
        }

        /** Takes {@code v} when it improves on the best; then saves BEST (unless {@code dir} is null). */
        public boolean offer(double v) throws IOException {
            if (!objective.improves(v, value)) return false;
            value = v;
            if (dir != null) recipe.saveModel(dir, objective.snapshot());
            return true;
        }
    }

    private final Settings s;
    private final Recipe<H, D, E> recipe;
    private final List<TrainingListener> listeners;
    private final StopSignal stop;
    private final List<Device> devices;
    private final NDManager root;
    private final Recipe.Model<H, D> model;

    /** Checks the settings, opens the recipe (its data), then builds the model on the first device. */
    public Run(Settings s, Opener<? extends Recipe<H, D, E>> opener, List<TrainingListener> listeners, StopSignal stop)
            throws IOException {
        this.s = s;
        this.listeners = listeners == null ? List.of() : listeners;
        this.stop = stop == null ? new StopSignal() : stop;
        checkVocab(s.vocab(), s.config());
        this.recipe = opener.open();
        NDManager m = null;
        try {
            Recipe.Data d = recipe.data();
            checkData(d.name(), d.size(), d.featDim(), s.batchSize(), s.config());
            this.devices = Devices.list(s.device());
            m = NDManager.newBaseManager(devices.get(0));
            this.model = recipe.build(m, this::message);
        } catch (IOException | RuntimeException e) {
            recipe.close();
            if (m != null) m.close();
            throw e;
        }
        this.root = m;
    }

    /** The vocabulary exists and fits the config's embedding table. */
    private static void checkVocab(Path vocab, LxmertConfig config) throws IOException {
        String problem = lxmert.util.Check.fileProblem(vocab);
        if (problem != null) {
            throw new IllegalArgumentException("vocabulary: " + problem + " (pass --vocab FILE; the synthetic world writes DATA/synth-vocab.txt)");
        }
        int size = Vocab.load(vocab).size();
        if (size > config.vocab_size()) {
            throw new IllegalArgumentException("vocabulary " + vocab + " has " + size + " entries but the config's vocab_size is "
                    + config.vocab_size());
        }
    }

    /** The training data fits the config's features and fills one batch. */
    private static void checkData(String trainName, int size, int featDim, int batchSize, LxmertConfig config) {
        if (featDim != config.visual_feat_dim()) {
            throw new IllegalArgumentException("features have dimension " + featDim + " but the config's visual_feat_dim is "
                    + config.visual_feat_dim());
        }
        if (size < batchSize) {
            throw new IllegalArgumentException(trainName + " has " + size + " examples with features, fewer than one batch of "
                    + batchSize);
        }
    }

    public Recipe<H, D, E> recipe() {
        return recipe;
    }

    private void message(String line) {
        for (TrainingListener l : listeners) l.onMessage(line);
    }

    /** Trains; returns when done or interrupted (LAST saved); a non-finite loss throws {@link NonFiniteLossException}. */
    public Result<E> train() throws IOException {
        Path out = s.output();
        Files.createDirectories(out);
        removeStaleTemporaries(out);
        recipe.config().save(out.resolve(CONFIG));
        writeRunJson();
        Trainer.Options to = new Trainer.Options(s.lr(), s.warmup(),
                TrainingLoop.totalSteps(recipe.data().size(), s.batchSize(), s.epochs()), s.clip(), s.seed());
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("task", s.task());
        identity.put("train_splits", s.train());
        identity.put("lr", Double.toString(s.lr()));
        identity.putAll(s.identity());
        TrainingLoop.Options lo = new TrainingLoop.Options(s.task(), s.epochs(), s.batchSize(), s.accumulate(), s.seed(), 1, out,
                s.saveSnapshots(), s.resume(), identity, model.accuracyName(), recipe.data().validSize());
        Epochs epochs = new Epochs(new Best(recipe, s.saveSnapshots() ? out : null));
        try (Trainer<H, D> trainer = new Trainer<>(root, model.module(), model.task(), to, devices)) {
            TrainingLoop.Result r = new TrainingLoop<>(trainer, recipe.data().size(), recipe.loader(), lo, epochs, listeners, stop).run();
            return new Result<>(List.copyOf(epochs.history), epochs.best.value(), r.interrupted(), r.trainSeconds(),
                    r.examplesPerSec(), r.dataWaitFraction(), out);
        }
    }

    /** The loop's hooks: the recipe's epoch end, then {@code log.log}; the history and best value as resume state. */
    private final class Epochs implements TrainingLoop.Hooks {
        private final Best best;
        private final List<E> history = new ArrayList<>();

        Epochs(Best best) {
            this.best = best;
        }

        @Override
        public void saveModel(Path dir, String name) throws IOException {
            recipe.saveModel(dir, name);
        }

        @Override
        public TrainingListener.EpochEvent onEpochEnd(TrainingLoop.EpochEnd e) throws IOException {
            Recipe.Outcome<E> o = recipe.epochEnd(e, best);
            history.add(o.metrics());
            Files.writeString(s.output().resolve("log.log"), o.log(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            return o.event();
        }

        @Override
        public JsonNode state() {
            return JSON.valueToTree(new State<>(Double.isNaN(best.value()) ? null : best.value(), history));
        }

        @Override
        public void restore(JsonNode st) {
            if (st == null) return;
            State<E> r = JSON.convertValue(st, JSON.getTypeFactory().constructParametricType(State.class, recipe.epochType()));
            best.value = r.best() == null ? recipe.objective().initial() : r.best();
            if (r.history() != null) history.addAll(r.history());
        }
    }

    /**
     * {@code run.json} with copies of the vocabulary and the answer table, so that the folder describes itself
     * (read by {@code lxmert.tasks.RunFolder}); each file written to a temporary and moved into place.
     */
    private void writeRunJson() throws IOException {
        Path dir = s.output();
        byte[] vocab = Files.readAllBytes(s.vocab());
        atomicWrite(dir.resolve(VOCAB), vocab);
        ObjectNode r = JSON.createObjectNode();
        r.put("format", 1);
        r.put("task", s.task());
        r.put("data", s.data().toAbsolutePath().normalize().toString());
        r.put("train", s.train());
        r.put("valid", s.valid() == null ? "" : s.valid());
        r.put("config", CONFIG);
        ObjectNode v = r.putObject("vocab");
        v.put("file", VOCAB);
        v.put("sha256", sha256(vocab));
        v.put("source", s.vocab().toAbsolutePath().normalize().toString());
        if (recipe.answers() != null) {
            byte[] answers = JSON.writeValueAsBytes(recipe.answers());
            atomicWrite(dir.resolve(ANSWERS), answers);
            ObjectNode a = r.putObject("answers");
            a.put("file", ANSWERS);
            a.put("sha256", sha256(answers));
            a.put("count", recipe.answers().size());
        }
        ObjectNode h = r.putObject("training");
        h.put("epochs", s.epochs());
        h.put("batch_size", s.batchSize());
        h.put("accumulate", s.accumulate());
        h.put("lr", s.lr());
        h.put("seed", s.seed());
        s.recorded().forEach((k, x) -> h.set(k, JSON.valueToTree(x)));
        atomicWrite(dir.resolve(RUN_JSON), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r));
    }

    /** Temporary snapshot files left by a killed run (never a complete snapshot: those are renamed into place). */
    private static void removeStaleTemporaries(Path out) throws IOException {
        try (var files = Files.list(out)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp") && n.startsWith(".")) Files.deleteIfExists(p);
            }
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void atomicWrite(Path file, byte[] data) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        recipe.close();
        root.close();
    }
}
