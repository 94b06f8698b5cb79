package lxmert.spark;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.data.synth.SynthWorld;
import lxmert.tasks.Snapshots;
import lxmert.tasks.Task;
import lxmert.tasks.TaskNet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small synthetic world (VQA) and a seeded, untrained task snapshot with its config.json beside it. */
final class World {
    static final int FEAT_DIM = 32;
    final Path data;
    final Path snapshot;
    final Path vocab;

    private World(Path data, Path snapshot) {
        this.data = data;
        this.snapshot = snapshot;
        this.vocab = data.resolve("synth-vocab.txt");
    }

    static LxmertConfig config() {
        return LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(FEAT_DIM).numObjectLabels(16)
                .numAttrLabels(8).numQaLabels(16).build();
    }

    /** A seeded snapshot of {@code task}'s model for this world (config.json beside it), in {@code dir}. */
    Path snapshot(Task task, Path dir) throws IOException {
        Files.createDirectories(dir);
        LxmertConfig c = config();
        c.save(dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(task, m, c, task.recipe().numAnswers(data), 13, false);
            ai.djl.engine.Engine.getInstance().setRandomSeed(13);
            for (ai.djl.ndarray.NDArray p : net.module().namedParameters().values()) {
                p.addi(m.randomNormal(0, 1.5f, p.getShape(), p.getDataType()));
            }
            Snapshots.saveModel(dir.resolve("snap.pth"), net.module().namedParameters());
        }
        return dir.resolve("snap.pth");
    }

    static World create(Path dir, double scale) throws IOException {
        Path data = dir.resolve("data");
        new SynthWorld(new SynthWorld.Config(7, scale, FEAT_DIM)).write(data);
        Path model = Files.createDirectories(dir.resolve("model"));
        LxmertConfig c = config();
        c.save(model.resolve("config.json"));
        int answers = Task.VQA.recipe().numAnswers(data);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(Task.VQA, m, c, answers, 11, false);
            // an untrained head answers the same everywhere: large random weights make the answers differ
            ai.djl.engine.Engine.getInstance().setRandomSeed(11);
            for (ai.djl.ndarray.NDArray p : net.module().namedParameters().values()) {
                p.addi(m.randomNormal(0, 0.5f, p.getShape(), p.getDataType()));
            }
            Snapshots.saveModel(model.resolve("snap.pth"), net.module().namedParameters());
        }
        return new World(data, model.resolve("snap.pth"));
    }

    /** Runs a command line; returns exit status, stdout and stderr. */
    record Out(int rc, String out, String err) {}

    static Out run(picocli.CommandLine cl, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream so = System.out, se = System.err;
        int rc;
        try {
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            rc = cl.execute(args);
        } finally {
            System.setOut(so);
            System.setErr(se);
        }
        return new Out(rc, o.toString(), e.toString());
    }
}
