package lxmert.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * THE training loop over a {@link Trainer}: epochs of seeded shuffled batches (drop_last) from a
 * {@link Prefetcher}, {@code --accumulate N} micro-batches per update, listeners and progress, the stop signal
 * (Ctrl-C or a notebook interrupt: LAST saved, the loop returns), a per-epoch hook (evaluation, BEST, log
 * lines: the task's), and LAST snapshots with resume state (optimiser moments, step, epoch, batch, the epoch's
 * running sums and the hook's state) so that a resumed run continues bit-exactly. The RNG needs no state of
 * its own: the epoch order comes from (seed, epoch) and dropout from (seed, step, micro-batch).
 *
 * <p>Metrics stay on the device; the loop reads them once per log interval (the loss, the running example
 * sums and the gradient norm in one read), and once per epoch end.
 */
public final class TrainingLoop<B, D> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param task            the run's name for listeners (vqa, pretrain, ...)
     * @param epochs          epochs to train
     * @param batchSize       examples per optimisation step
     * @param accumulate      micro-batches per step (batchSize must be a multiple of it)
     * @param seed            the epoch order's seed
     * @param logInterval     steps between two reads of the metrics (and BatchEvents); the epoch's last step
     *                        always reports
     * @param output          the run folder (null: no snapshots, no resume)
     * @param saveSnapshots   save LAST after every epoch (LAST is always saved when stopped)
     * @param resume          continue from {@code output/LAST.resume.pth}
     * @param identity        settings a resumed run must share with the snapshot (checked, named on mismatch)
     * @param accuracyName    the example sum reported as the running train accuracy (null: none)
     * @param validExamples   for the run info only
     */
    public record Options(String task, int epochs, int batchSize, int accumulate, long seed, int logInterval, Path output,
                          boolean saveSnapshots, boolean resume, Map<String, String> identity, String accuracyName,
                          int validExamples) {
        public Options {
            checkBatching(epochs, batchSize, accumulate);
            if (logInterval < 1) throw new IllegalArgumentException("log interval must be >= 1, got " + logInterval);
            identity = identity == null ? Map.of() : identity;
        }

        public int microBatchSize() {
            return batchSize / accumulate;
        }
    }

    /** Epochs, batch size and accumulation are positive and the batch splits into equal micro-batches (named as options). */
    static void checkBatching(int epochs, int batchSize, int accumulate) {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        if (accumulate < 1) throw new IllegalArgumentException("--accumulate must be >= 1, got " + accumulate);
        if (batchSize % accumulate != 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " is not a multiple of --accumulate " + accumulate);
        }
    }

    /** What the task does around the loop: its model files, its epoch end and its own resumable state. */
    public interface Hooks {
        /** Writes the model snapshot {@code name} (e.g. LAST.pth in the task's layout) into {@code dir}. */
        default void saveModel(Path dir, String name) throws IOException {}

        /**
         * After every epoch, with the epoch's training sums: evaluate, save BEST, write log lines. Returns the
         * event for the listeners (null: none).
         */
        default TrainingListener.EpochEvent onEpochEnd(EpochEnd e) throws IOException {
            return null;
        }

        /** The task's state to resume with (history, best so far); null for none. */
        default JsonNode state() {
            return null;
        }

        /** Restores {@link #state()} when resuming. */
        default void restore(JsonNode state) {}
    }

    /** One epoch's end: its training sums (read once), seconds and examples. */
    public record EpochEnd(int epoch, RunningSums.Values train, double seconds, long examples, long step) {
        public double examplesPerSec() {
            return examples / Math.max(seconds, 1e-9);
        }
    }

    /** How a run ended. */
    public record Result(int epochsDone, boolean interrupted, double trainSeconds, long examples, long steps,
                         double dataWaitFraction) {
        public double examplesPerSec() {
            return examples / Math.max(trainSeconds, 1e-9);
        }
    }

    private final Trainer<B, D> trainer;
    private final int size;
    private final EpochLoader<B> load;
    private final Options opt;
    private final Hooks hooks;
    private final List<TrainingListener> listeners;
    private final StopSignal stop;

    /**
     * @param size the number of training examples
     * @param load fills a host batch with the examples of the given indices (runs on the prefetch thread)
     */
    public TrainingLoop(Trainer<B, D> trainer, int size, Function<int[], B> load, Options opt, Hooks hooks,
                        List<TrainingListener> listeners, StopSignal stop) {
        this(trainer, size, (EpochLoader<B>) (epoch, order, i) -> load.apply(order[i]), opt, hooks, listeners, stop);
    }

    /**
     * Fills the host batch of micro-batch {@code index} of epoch {@code epoch}, whose micro-batches are {@code order}
     * (the {@code accumulate} micro-batches of update u are {@code order[u*accumulate ..]}); runs on the prefetch
     * thread, called in order.
     */
    public interface EpochLoader<B> {
        B load(int epoch, int[][] order, int index);
    }

    /** As the other constructor, with a loader that knows the epoch and the epoch's micro-batches. */
    public TrainingLoop(Trainer<B, D> trainer, int size, EpochLoader<B> load, Options opt, Hooks hooks,
                        List<TrainingListener> listeners, StopSignal stop) {
        this.trainer = trainer;
        this.size = size;
        this.load = load;
        this.opt = opt;
        this.hooks = hooks == null ? new Hooks() {} : hooks;
        this.listeners = listeners == null ? List.of() : listeners;
        this.stop = stop == null ? new StopSignal() : stop;
        if (size < opt.batchSize()) {
            throw new IllegalArgumentException("the training data has " + size + " examples, fewer than one batch of " + opt.batchSize());
        }
    }

    /** Optimisation steps per epoch (drop_last). */
    public int stepsPerEpoch() {
        return size / opt.batchSize();
    }

    /** The schedule's total steps: steps per epoch x epochs (the original's t_total). */
    public static long totalSteps(int size, int batchSize, int epochs) {
        return (long) (size / batchSize) * epochs;
    }

    /** Batches of one epoch: the seeded permutation (drop_last) or the data in order (evaluation). */
    public static int[][] batches(int n, int batch, boolean shuffle, boolean dropLast, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            Random r = new Random(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        int count = dropLast ? n / batch : (n + batch - 1) / batch;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) out[b] = Arrays.copyOfRange(order, b * batch, Math.min(n, (b + 1) * batch));
        return out;
    }

    /** The seed of epoch {@code epoch}'s order. */
    public static long epochSeed(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    /** The micro-batches of one epoch: the full batches' order, each split into {@code accumulate} parts. */
    int[][] microBatches(int epoch) {
        int[][] full = batches(size, opt.batchSize(), true, true, epochSeed(opt.seed(), epoch));
        if (opt.accumulate() == 1) return full;
        int mb = opt.microBatchSize();
        int[][] out = new int[full.length * opt.accumulate()][];
        for (int b = 0; b < full.length; b++) {
            for (int k = 0; k < opt.accumulate(); k++) out[b * opt.accumulate() + k] = Arrays.copyOfRange(full[b], k * mb, (k + 1) * mb);
        }
        return out;
    }

    private void message(String s) {
        for (TrainingListener l : listeners) l.onMessage(s);
    }

    /** Trains; returns when done or stopped (LAST saved); a non-finite loss throws {@link NonFiniteLossException}. */
    public Result run() throws IOException {
        Path out = opt.output();
        int spe = stepsPerEpoch();
        int startEpoch = 0;
        int startBatch = 0;
        double trainSeconds = 0;
        long examples = 0;
        RunningSums.Values carried = null;
        if (out != null) Files.createDirectories(out);
        if (opt.resume()) {
            if (out == null) throw new IllegalArgumentException("--resume needs an output directory");
            Path rf = out.resolve(ResumeFile.NAME);
            if (!Files.isRegularFile(rf)) throw new IllegalArgumentException("--resume: no snapshot to resume from: " + rf);
            ResumeFile.Contents r = ResumeFile.load(rf);
            JsonNode st = r.state();
            checkCompatible(st, rf);
            LoadReport rep = ModelWeights.load(trainer.parameters(), r.model(), k -> false);
            if (!rep.isClean()) throw new IllegalArgumentException(rf + ": model does not fit\n" + rep);
            trainer.optimizer().loadState(r.optimizer(), st.get("step").asLong());
            startEpoch = st.get("epoch").asInt();
            startBatch = st.get("batch").asInt();
            trainSeconds = st.get("train_seconds").asDouble();
            examples = st.get("examples").asLong();
            carried = readValues(st.get("epoch_sums"));
            hooks.restore(st.has("task_state") ? st.get("task_state") : st); // format 1 kept the task's state at top level
            message("resumed from " + rf + " at epoch " + (startEpoch + 1) + ", batch " + startBatch + " (step " + trainer.step() + ")");
        }
        for (TrainingListener l : listeners) {
            l.onStart(new TrainingListener.RunInfo(opt.task(), opt.epochs(), spe, opt.batchSize(), size, opt.validExamples(),
                    trainer.model().parameterCount(), startEpoch, trainer.step()));
        }
        boolean interrupted = false;
        double waitTotal = 0;
        double stepTotal = 0;
        int epochsDone = startEpoch;
        int[] loadEpoch = {0}; // written before each epoch's start(), read by the prefetch thread (happens-before: submit)
        try (Prefetcher<B> pre = new Prefetcher<B>((order, i) -> load.load(loadEpoch[0], order, i))) {
            for (int epoch = startEpoch; epoch < opt.epochs() && !interrupted; epoch++) {
                int first = epoch == startEpoch ? startBatch : 0;
                trainer.sums().reset();
                if (epoch == startEpoch && carried != null) trainer.sums().set(carried);
                trainer.model().setTraining(true);
                long epochStart = System.nanoTime();
                long epochExamples = 0;
                loadEpoch[0] = epoch;
                pre.start(microBatches(epoch), first * opt.accumulate());
                RunningSums.Values lastRead = trainer.sums().read();
                long lastReadStep = trainer.step();
                for (int bi = first; bi < spe; bi++) {
                    long t0 = System.nanoTime();
                    double wait = 0;
                    long step = trainer.step();
                    List<B> micro = new ArrayList<>(opt.accumulate());
                    for (int k = 0; k < opt.accumulate(); k++) {
                        long w0 = System.nanoTime();
                        micro.add(pre.next());
                        wait += (System.nanoTime() - w0) / 1e9;
                    }
                    trainer.step(micro);
                    long updateExamples = trainer.updateExamples();
                    waitTotal += wait;
                    stepTotal += (System.nanoTime() - t0) / 1e9;
                    epochExamples += updateExamples;
                    examples += updateExamples;
                    boolean lastOfEpoch = bi + 1 == spe;
                    if (lastOfEpoch || stop.isRequested() || trainer.step() - lastReadStep >= opt.logInterval()) {
                        RunningSums.Read rd = trainer.sums().read(trainer.lastGradNorm());
                        RunningSums.Values interval = rd.values().since(lastRead);
                        double loss = interval.mean(RunningSums.LOSS);
                        if (!Double.isFinite(loss)) {
                            Path last = out == null ? null : out.resolve("LAST.pth");
                            throw new NonFiniteLossException("loss is " + loss + " at step " + (lastReadStep + 1 == trainer.step()
                                    ? Long.toString(step) : lastReadStep + ".." + step) + " (epoch " + (epoch + 1) + ", batch "
                                    + (bi + 1) + "); the last good snapshot is "
                                    + (last != null && Files.isRegularFile(last) ? last : "none (no epoch finished yet)"));
                        }
                        double secs = (System.nanoTime() - epochStart) / 1e9;
                        double acc = opt.accuracyName() == null ? Double.NaN : rd.values().mean(opt.accuracyName());
                        for (TrainingListener l : listeners) {
                            l.onBatch(new TrainingListener.BatchEvent(epoch, bi, spe, step, loss, trainer.lastLr(), rd.extra()[0],
                                    epochExamples / Math.max(secs, 1e-9), waitTotal / Math.max(stepTotal, 1e-9), acc));
                            if (interval.batchSums().size() > 1) l.onLosses(new TrainingListener.LossesEvent(epoch, step, interval.lossMeans()));
                        }
                        lastRead = rd.values();
                        lastReadStep = trainer.step();
                    }
                    if (stop.isRequested() && !lastOfEpoch) { // also when a listener asked just now
                        trainSeconds += (System.nanoTime() - epochStart) / 1e9;
                        if (out != null) {
                            saveLast(epoch, bi + 1, trainer.sums().read(), trainSeconds, examples);
                            message("interrupted: stopped after step " + step + "; saved " + out.resolve("LAST.pth"));
                        } else {
                            message("interrupted: stopped after step " + step);
                        }
                        interrupted = true;
                        break;
                    }
                }
                if (interrupted) break;
                double epochSecs = (System.nanoTime() - epochStart) / 1e9;
                trainSeconds += epochSecs;
                TrainingListener.EpochEvent ev = hooks.onEpochEnd(new EpochEnd(epoch, trainer.sums().read(), epochSecs,
                        epochExamples, trainer.step()));
                epochsDone = epoch + 1;
                if (ev != null) for (TrainingListener l : listeners) l.onEpoch(ev);
                if (out != null && opt.saveSnapshots()) saveLast(epoch + 1, 0, RunningSums.Values.empty(), trainSeconds, examples);
                if (stop.isRequested() && epoch + 1 < opt.epochs()) {
                    message("interrupted after epoch " + (epoch + 1) + (out != null && opt.saveSnapshots() ? "; saved " + out.resolve("LAST.pth") : ""));
                    interrupted = true;
                }
            }
        } finally {
            trainer.model().setTraining(false);
            for (TrainingListener l : listeners) l.onFinish(interrupted);
        }
        return new Result(epochsDone, interrupted, trainSeconds, examples, trainer.step(), waitTotal / Math.max(stepTotal, 1e-9));
    }

    private void checkCompatible(JsonNode st, Path rf) {
        for (Map.Entry<String, String> c : identity().entrySet()) {
            String was = st.path("identity").path(c.getKey()).asText(st.path(c.getKey()).asText());
            if (!was.equals(c.getValue())) {
                throw new IllegalArgumentException("--resume: " + rf + " was written with " + c.getKey() + "=" + was
                        + " but this run has " + c.getKey() + "=" + c.getValue());
            }
        }
    }

    /** The settings a resume must share: the caller's identity plus the loop's own. */
    private Map<String, String> identity() {
        Map<String, String> id = new LinkedHashMap<>(opt.identity());
        id.put("batch_size", Integer.toString(opt.batchSize()));
        id.put("epochs", Integer.toString(opt.epochs()));
        id.put("seed", Long.toString(opt.seed()));
        return id;
    }

    private void saveLast(int nextEpoch, int nextBatch, RunningSums.Values sums, double trainSeconds, long examples)
            throws IOException {
        ObjectNode st = JSON.createObjectNode();
        st.put("format", 2);
        identity().forEach(st::put); // top level as format 1 had them, for readers of the old layout
        st.set("identity", JSON.valueToTree(identity()));
        st.put("accumulate", opt.accumulate());
        st.put("epoch", nextEpoch);
        st.put("batch", nextBatch);
        st.put("step", trainer.step());
        st.put("rng", "derived: order from (seed, epoch), dropout from (seed, step, micro-batch)");
        st.set("epoch_sums", JSON.valueToTree(sums));
        st.put("train_seconds", trainSeconds);
        st.put("examples", examples);
        JsonNode task = hooks.state();
        if (task != null) st.set("task_state", task);
        // model-only LAST first (the task's own layout), then the self-contained resume snapshot
        hooks.saveModel(opt.output(), "LAST");
        ResumeFile.save(opt.output().resolve(ResumeFile.NAME), trainer.parameters(), trainer.optimizer().stateArrays(), st);
    }

    private static RunningSums.Values readValues(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        Map<String, Double> b = new LinkedHashMap<>();
        Map<String, Double> e = new LinkedHashMap<>();
        n.path("batchSums").fields().forEachRemaining(x -> b.put(x.getKey(), x.getValue().asDouble()));
        n.path("exampleSums").fields().forEachRemaining(x -> e.put(x.getKey(), x.getValue().asDouble()));
        return new RunningSums.Values(b, e, n.path("batches").asLong(), n.path("examples").asLong());
    }
}
