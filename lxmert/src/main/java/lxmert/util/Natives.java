package lxmert.util;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;

/**
 * Which libtorch DJL 0.36 loads, and the project's switches around DJL's own selection. DJL's order
 * ({@code ai.djl.pytorch.jni.LibUtils}, read in DJL 0.36's classes): {@code PYTORCH_LIBRARY_PATH} (environment variable
 * or system property; a directory holding {@code libtorch.so}), then {@code java.library.path}, then a
 * {@code pytorch-native-*} jar on the class path whose flavour fits the machine (the bundled
 * {@code pytorch-native-cpu} fits every machine, a GPU one too), else a download from {@code publish.djl.ai} into the
 * engine cache ({@code ENGINE_CACHE_DIR}, else {@code DJL_CACHE_DIR}/pytorch, else {@code ~/.djl.ai/pytorch}), which
 * {@code ai.djl.offline=true} / {@code DJL_OFFLINE=true} forbids ({@code Utils.openUrl}: "Offline mode is enabled.").
 *
 * <p>This project's switches (all applied by {@link #prepare} before the engine's first use):
 * <ul>
 *   <li>Default: offline, the bundled CPU libtorch (or {@code PYTORCH_LIBRARY_PATH} when set).</li>
 *   <li>{@code PYTORCH_LIBRARY_PATH}: checked up front (the directory must hold {@code libtorch.so}); when it holds
 *   {@code libtorch_cuda.so} and {@code PYTORCH_FLAVOR} is unset, the flavour is set to {@code cu128} so that DJL
 *   extracts the CUDA JNI library its {@code pytorch-jni} jar carries (otherwise it would pick the CPU one).</li>
 *   <li>A pre-filled cache ({@code LXMERT_DJL_CACHE}, else {@code DJL_CACHE_DIR}): a directory
 *   {@code pytorch/2.7.1-*cu128*-linux-x86_64} holding {@code libtorch.so} is used as {@code PYTORCH_LIBRARY_PATH}
 *   (no network).</li>
 *   <li>Allowed download ({@code --allow-download} or {@code LXMERT_ALLOW_DOWNLOAD=1}), only when the CUDA driver
 *   reports a GPU: offline mode is lifted for this one engine load and the bundled CPU jar is hidden from DJL's
 *   platform detection, so DJL downloads its own CUDA build of 2.7.1 (cu128) once into its cache; a line on stderr
 *   says so before it starts. Without a GPU nothing is downloaded.</li>
 * </ul>
 */
public final class Natives {
    /** The PyTorch version of this build (from DJL's {@code pytorch-engine.properties}: 2.7.1 with DJL 0.36). */
    public static final String PYTORCH_VERSION = engineProperty("pytorch_version", "2.7.1");
    /** The DJL version of this build. */
    public static final String DJL_VERSION = engineProperty("djl_version", "0.36.0");
    /**
     * The CUDA flavour of the JNI library DJL's {@code pytorch-jni} jar carries for this PyTorch version
     * ({@code jnilib/linux-x86_64/cu128} for 2.7.1 / DJL 0.36; cu124 for 2.5.1 / DJL 0.33, the {@code djl033-*} profiles).
     */
    public static final String CUDA_FLAVOR = PYTORCH_VERSION.startsWith("2.5.") ? "cu124" : "cu128";

    private static String engineProperty(String key, String fallback) {
        try (java.io.InputStream in = Natives.class.getClassLoader().getResourceAsStream("pytorch-engine.properties")) {
            if (in == null) return fallback;
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty(key, fallback);
        } catch (java.io.IOException e) {
            return fallback;
        }
    }

    /** What was loaded. {@code flavor} is {@code cpu} or {@code cuXYZ}; {@code source} says how it was chosen. */
    public record Libtorch(String version, String flavor, Path path, boolean cuda, String source) {
        @Override
        public String toString() {
            return "libtorch " + version + " " + flavor + " (" + source + ") at " + path;
        }
    }

    private static volatile Libtorch loaded;

    private Natives() {
    }

    /** True when {@code LXMERT_ALLOW_DOWNLOAD} is 1/true/yes. */
    public static boolean downloadAllowedByEnvironment() {
        String v = System.getenv("LXMERT_ALLOW_DOWNLOAD");
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes"));
    }

    /** Environment variable or system property (DJL reads both the same way). */
    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) v = System.getProperty(name);
        return v == null || v.isBlank() ? null : v;
    }

    /**
     * Loads the engine once (idempotent; later calls return what the first one loaded). {@code allowDownload} is
     * the explicit opt-in; {@code log} receives one line about a download before it starts.
     */
    public static synchronized Libtorch prepare(boolean allowDownload, Consumer<String> log) {
        if (loaded != null) return loaded;
        Allocator.tune();
        String source;
        String libPath = env("PYTORCH_LIBRARY_PATH");
        boolean hideCpuJar = false;
        if (libPath != null) {
            Path dir = Path.of(libPath);
            if (!Files.isRegularFile(dir.resolve("libtorch.so")) && !Files.isRegularFile(dir)) {
                throw new IllegalArgumentException("PYTORCH_LIBRARY_PATH=" + libPath + ": no libtorch.so there (point it at "
                        + "the directory holding libtorch.so, e.g. a pip torch==" + PYTORCH_VERSION + "+" + CUDA_FLAVOR + " install's torch/lib)");
            }
            setFlavorIfCuda(dir);
            source = "PYTORCH_LIBRARY_PATH";
        } else {
            Path cached = prefilledCudaCache();
            if (cached != null) {
                System.setProperty("PYTORCH_LIBRARY_PATH", cached.toString());
                setFlavorIfCuda(cached);
                source = "pre-filled DJL cache";
            } else if (allowDownload && CudaUtils.getGpuCount() > 0) {
                Path cache = ai.djl.util.Utils.getEngineCacheDir("pytorch");
                log.accept("lxmert: --allow-download: DJL downloads its PyTorch " + PYTORCH_VERSION + " CUDA build from "
                        + "https://publish.djl.ai into " + cache + " (once; later runs use the cache)");
                System.setProperty("ai.djl.offline", "false");
                hideCpuJar = true;
                source = "downloaded by DJL (--allow-download)";
            } else {
                source = allowDownload ? "bundled jar (--allow-download: no GPU reported by the CUDA driver, nothing downloaded)"
                        : "bundled jar";
            }
        }
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try {
            if (hideCpuJar) Thread.currentThread().setContextClassLoader(new HidingLoader(before));
            Engine.getEngine("PyTorch");
        } finally {
            Thread.currentThread().setContextClassLoader(before);
            if (hideCpuJar) System.setProperty("ai.djl.offline", "true");
        }
        Path path = Path.of(LibUtils.getLibtorchPath());
        boolean cuda = Files.exists(path.resolve("libtorch_cuda.so")) || JniUtils.getFeatures().contains("CUDA");
        loaded = new Libtorch(LibUtils.getVersion(), flavorOf(path, cuda), path, cuda, source);
        return loaded;
    }

    /** What {@link #prepare} loaded, or null before. */
    public static Libtorch loaded() {
        return loaded;
    }

    private static void setFlavorIfCuda(Path dir) {
        Path d = Files.isDirectory(dir) ? dir : dir.getParent();
        if (env("PYTORCH_FLAVOR") == null) {
            System.setProperty("PYTORCH_FLAVOR", Files.exists(d.resolve("libtorch_cuda.so")) ? CUDA_FLAVOR : "cpu");
        }
    }

    /** {@code cpu}/{@code cuXYZ} from DJL's cache directory name ({@code 2.7.1-20250812-cpu-linux-x86_64}), else from the files. */
    static String flavorOf(Path dir, boolean cuda) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        for (String part : name.split("-")) {
            if (part.equals("cpu") || part.matches("cu\\d+")) return part;
        }
        String f = env("PYTORCH_FLAVOR");
        if (f != null) return f;
        return cuda ? "cuda" : "cpu";
    }

    /** The CUDA libtorch directory of a pre-filled cache (LXMERT_DJL_CACHE, else DJL_CACHE_DIR), or null. */
    static Path prefilledCudaCache() {
        String root = env("LXMERT_DJL_CACHE");
        if (root == null) root = env("DJL_CACHE_DIR");
        if (root == null) return null;
        Path pytorch = Path.of(root).resolve("pytorch");
        if (!Files.isDirectory(pytorch)) return null;
        try (Stream<Path> s = Files.list(pytorch)) {
            List<Path> dirs = new ArrayList<>(s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.startsWith(PYTORCH_VERSION + "-") && n.matches(".*-cu\\d+-.*") && n.endsWith("linux-x86_64")
                        && Files.isRegularFile(p.resolve("libtorch.so"));
            }).toList());
            Collections.sort(dirs);
            return dirs.isEmpty() ? null : dirs.get(dirs.size() - 1);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Hides the bundled native jar's {@code native/lib/pytorch.properties} from DJL's platform detection. */
    private static final class HidingLoader extends ClassLoader {
        private static final String HIDDEN = "native/lib/pytorch.properties";

        HidingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        public Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
            return HIDDEN.equals(name) ? Collections.emptyEnumeration() : super.getResources(name);
        }

        @Override
        public java.net.URL getResource(String name) {
            return HIDDEN.equals(name) ? null : super.getResource(name);
        }
    }

    /**
     * The DJL JNI library this process loaded ({@code libdjl_torch.so}: DJL's prebuilt one extracted from the
     * {@code pytorch-jni} jar, or one built by {@code environment/build-djl-jni}), read from {@code /proc/self/maps};
     * null when none is loaded or the maps cannot be read (not Linux).
     */
    public static Path jniLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return null;
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(l -> {
                int slash = l.indexOf('/');
                return slash < 0 ? null : l.substring(slash).strip();
            }).filter(p -> p != null && p.endsWith("libdjl_torch.so")).findFirst().map(Path::of).orElse(null);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** For {@code lxmert devices}: the variables that steer the choice, with their values (unset ones omitted). */
    public static Map<String, String> variables() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String n : List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "LXMERT_DJL_CACHE",
                "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "LXMERT_ALLOW_DOWNLOAD", "CUDA_VISIBLE_DEVICES")) {
            String v = System.getenv(n);
            if (v != null) m.put(n, v);
        }
        return m;
    }
}
