package lxmert.bench;

import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.TorchWriter;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.model.Module;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static lxmert.bench.Timing.Memory.mb;

/**
 * {@code bench checkpoint}: measures loading a full pretraining checkpoint into the model: time, and the peak of
 * anonymous resident memory (Java heap + native allocations, the file's memory-mapped pages excluded) above the level
 * before loading, sampled every few milliseconds, and the peak Java heap. Writes the checkpoint first (with this
 * project's writer, original layout, random weights) when the file does not exist.
 */
public final class CheckpointBenchmark {
    public record Result(long fileBytes, double writeSeconds, double loadSeconds, long peakAnonAboveBaseline,
                         long peakHeapUsed, long parameters, boolean clean) {
        /** The summary line {@code file_mb=... params=... write_s=... load_s=... peak_anon_mb=... peak_heap_mb=... ratio=... clean=...}. */
        public String line() {
            return String.format(Locale.ROOT, "file_mb=%.1f params=%d write_s=%.2f load_s=%.2f peak_anon_mb=%.1f peak_heap_mb=%.1f ratio=%.3f clean=%s",
                    mb(fileBytes), parameters, writeSeconds, loadSeconds, mb(peakAnonAboveBaseline), mb(peakHeapUsed),
                    (double) peakAnonAboveBaseline / fileBytes, clean);
        }
    }

    private CheckpointBenchmark() {}

    /** Loads {@code file} (null: a temporary file, written and deleted). */
    public static Result run(LxmertConfig c, Path file) throws Exception {
        if (file != null) return load(c, file);
        Path f = Files.createTempDirectory("lxmert-bench").resolve("model_LXRT.pth");
        try {
            return load(c, f);
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(f.getParent());
        }
    }

    private static Result load(LxmertConfig c, Path file) throws Exception {
        double writeS = Double.NaN;
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            try (NDManager m = NDManager.newBaseManager()) {
                LxmertPretraining model = new LxmertPretraining(new Module.Init(m, new Random(1), c.initializer_range()), c);
                TorchWriter.writeZip(file, KeyMaps.fromCanonical(ModelWeights.tensors(model.namedParameters()), KeyMaps.Layout.ORIGINAL));
            }
            writeS = Timing.since(t0);
        }
        try (NDManager warm = NDManager.newBaseManager()) { // engine and allocator start-up are not part of loading
            warm.zeros(new ai.djl.ndarray.types.Shape(1)).close();
        }
        long base = Timing.Memory.afterGc().anon();
        Timing.Peak peak = new Timing.Peak();
        long t0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model;
            LoadReport r;
            double loadS;
            try (peak) {
                model = new LxmertPretraining(Module.Init.forLoading(m), c);
                r = ModelWeights.load(model.namedParameters(), ModelWeights.readCanonical(file), k -> false);
                loadS = Timing.since(t0);
            }
            return new Result(Files.size(file), writeS, loadS, peak.anon() - base, peak.heap(), model.parameterCount(), r.isClean());
        }
    }
}
