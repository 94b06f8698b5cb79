package lxmert.bench;

import java.util.Arrays;
import java.util.Locale;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The machine's float32 matrix-product rate through the engine's own matmul (libtorch's, with the threads in force),
 * the yardstick {@code bench model} reports its step against: a step can at best run its matrix products at this rate.
 * The shape is the lxr955 feed-forward product of a batch of 32 (32 x 56 positions, 768 -> 3072).
 */
public final class Sgemm {
    public static final int M = 32 * (ModelBenchmark.SEQ + ModelBenchmark.BOXES), K = 768, N = 3072;

    private Sgemm() {}

    /** GFLOP/s and the shape, as one line of {@code bench model}'s output. */
    public record Rate(double gflops, int threads) {
        public String line() {
            return String.format(Locale.ROOT, "sgemm_gflops=%.2f (engine matmul %dx%d @ %dx%d, median of timed runs, %d intra-op threads)",
                    gflops, M, K, K, N, threads);
        }
    }

    /** Times {@code A @ B} on {@code device} for about {@code seconds} after two warm-up products; the median run's rate. */
    public static Rate measure(Device device, double seconds) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomUniform(-1f, 1f, new Shape(M, K));
            NDArray b = m.randomUniform(-1f, 1f, new Shape(K, N));
            for (int i = 0; i < 2; i++) {
                try (NDManager t = m.newSubManager()) {
                    a.matMul(b).attach(t);
                }
            }
            double[] s = new double[1000];
            int n = 0;
            long start = System.nanoTime();
            while (n < s.length && (n < 5 || (System.nanoTime() - start) / 1e9 < seconds)) {
                try (NDManager t = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(t);
                    c.getFloat(0, 0); // the product is done (a host read: also waits for a GPU)
                    s[n++] = (System.nanoTime() - t0) / 1e9;
                }
            }
            double[] sorted = Arrays.copyOf(s, n);
            Arrays.sort(sorted);
            double median = sorted[n / 2];
            return new Rate(2.0 * M * K * N / median / 1e9, ai.djl.pytorch.jni.JniUtils.getNumThreads());
        }
    }
}
