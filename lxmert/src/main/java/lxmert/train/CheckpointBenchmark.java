package lxmert.train;

import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.TorchWriter;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.model.Module;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Measures loading a full pretraining checkpoint into the model: time, and the peak of anonymous resident memory
 * (Java heap + native allocations, the file's memory-mapped pages excluded) above the level before loading,
 * sampled every few milliseconds, and the peak Java heap. Writes the checkpoint first (with this project's
 * writer, original layout) when the file does not exist.
 */
public final class CheckpointBenchmark {
    public record Result(long fileBytes, double writeSeconds, double loadSeconds, long peakAnonAboveBaseline,
                         long peakHeapUsed, long parameters, boolean clean) {}

    private CheckpointBenchmark() {}

    public static Result run(LxmertConfig c, Path file) throws Exception {
        double writeS = Double.NaN;
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            try (NDManager m = NDManager.newBaseManager()) {
                LxmertPretraining model = new LxmertPretraining(new Module.Init(m, new Random(1), c.initializer_range()), c);
                TorchWriter.writeZip(file, KeyMaps.fromCanonical(ModelWeights.tensors(model.namedParameters()), KeyMaps.Layout.ORIGINAL));
            }
            writeS = (System.nanoTime() - t0) / 1e9;
        }
        try (NDManager warm = NDManager.newBaseManager()) { // engine and allocator start-up are not part of loading
            warm.zeros(new ai.djl.ndarray.types.Shape(1)).close();
        }
        for (int i = 0; i < 3; i++) System.gc();
        long base = rssAnonBytes();
        Sampler s = new Sampler();
        s.start();
        long t0 = System.nanoTime();
        boolean clean;
        long params;
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = new LxmertPretraining(Module.Init.forLoading(m), c);
            LoadReport r = ModelWeights.load(model.namedParameters(), ModelWeights.readCanonical(file), k -> false);
            clean = r.isClean();
            params = model.parameterCount();
            double loadS = (System.nanoTime() - t0) / 1e9;
            s.stop = true;
            s.join();
            return new Result(Files.size(file), writeS, loadS, s.peakAnon - base, s.peakHeap, params, clean);
        }
    }

    static long rssAnonBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return -1;
    }

    static long heapUsed() {
        long u = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) u += p.getUsage().getUsed();
        }
        return u;
    }

    private static final class Sampler extends Thread {
        volatile boolean stop;
        long peakAnon;
        long peakHeap;

        Sampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    peakAnon = Math.max(peakAnon, rssAnonBytes());
                    peakHeap = Math.max(peakHeap, heapUsed());
                    Thread.sleep(2);
                } catch (Exception e) {
                    return;
                }
            }
            try {
                peakAnon = Math.max(peakAnon, rssAnonBytes());
            } catch (IOException ignored) {
                // keep what we have
            }
        }
    }
}
