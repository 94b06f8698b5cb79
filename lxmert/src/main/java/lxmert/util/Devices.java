package lxmert.util;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * {@code --device cpu|gpu|gpuN|gpuN,gpuM,...}: parsed and checked up front, before any work. Without {@code --device}
 * the choice is {@code gpu0} when a GPU is visible through a CUDA libtorch, else {@code cpu}. A GPU is visible when
 * the loaded libtorch is a CUDA build ({@link Natives.Libtorch#cuda()}) and DJL's {@link Engine#getGpuCount()} (the
 * CUDA driver's count, after {@code CUDA_VISIBLE_DEVICES}) is above 0. {@code cpu} may repeat ({@code cpu,cpu}: two
 * replicas on the CPU, for testing data parallelism); a GPU may not; CPU and GPU do not mix.
 */
public final class Devices {
    private static volatile boolean logged;

    private Devices() {
    }

    /** The choice: devices in order (the first one holds the master copy in data parallel runs) and the libtorch. */
    public record Choice(List<Device> devices, Natives.Libtorch libtorch) {
        public Device first() {
            return devices.get(0);
        }

        /** One device, else a clear error for commands that use one (data parallel is for training only). */
        public Device single(String command) {
            if (devices.size() != 1) {
                throw new IllegalArgumentException("--device " + spec(devices) + ": " + command
                        + " runs on one device; several devices (data parallel) are for training: finetune, pretrain, bench model");
            }
            return devices.get(0);
        }

        public boolean gpu() {
            return first().isGpu();
        }

        @Override
        public String toString() {
            return "device " + spec(devices) + " with " + libtorch;
        }
    }

    /** The project's name of a device: {@code cpu} or {@code gpuN} (what {@link Device#fromName} reads back). */
    public static String name(Device d) {
        return d.isGpu() ? "gpu" + d.getDeviceId() : "cpu";
    }

    /** The devices of an already checked {@code spec}: {@code cpu}, {@code gpu1} or a list ({@code gpu0,gpu1}, {@code cpu,cpu}); null: cpu. */
    public static List<Device> list(String spec) {
        if (spec == null || spec.isBlank()) return List.of(Device.cpu());
        List<Device> out = new ArrayList<>();
        for (String s : spec.split(",")) out.add(Device.fromName(s.strip()));
        return out;
    }

    /** Comma-separated names. */
    public static String spec(List<Device> ds) {
        return String.join(",", ds.stream().map(Devices::name).toList());
    }

    /**
     * Parses {@code spec} (null or blank: the default) against {@code gpus} GPUs visible through the loaded libtorch
     * (pure: no engine needed; {@code why} explains a count of 0 in errors).
     */
    public static List<Device> parse(String spec, int gpus, String why) {
        if (spec == null || spec.isBlank()) return List.of(gpus > 0 ? Device.gpu(0) : Device.cpu());
        List<Device> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (String raw : spec.split(",", -1)) {
            String s = raw.strip().toLowerCase(Locale.ROOT);
            if (s.equals("cpu")) {
                out.add(Device.cpu());
                continue;
            }
            int id;
            if (s.equals("gpu")) {
                id = 0;
            } else if (s.matches("gpu\\d{1,3}")) {
                id = Integer.parseInt(s.substring(3));
            } else {
                throw new IllegalArgumentException("--device: unknown device \"" + raw.strip() + "\" in \"" + spec
                        + "\" (use cpu, gpu, gpu0, gpu1, ... or a comma-separated list such as gpu0,gpu1)");
            }
            if (gpus == 0) {
                throw new IllegalArgumentException("--device " + spec + ": no GPU is visible: " + why);
            }
            if (id >= gpus) {
                throw new IllegalArgumentException("--device " + spec + ": gpu" + id + " does not exist; " + gpus
                        + " GPU" + (gpus == 1 ? " is" : "s are") + " visible (gpu0" + (gpus > 1 ? "..gpu" + (gpus - 1) : "") + ")");
            }
            if (!seen.add(id)) throw new IllegalArgumentException("--device " + spec + ": gpu" + id + " is listed twice");
            out.add(Device.gpu(id));
        }
        boolean anyGpu = out.stream().anyMatch(Device::isGpu), anyCpu = out.stream().anyMatch(d -> !d.isGpu());
        if (anyGpu && anyCpu) throw new IllegalArgumentException("--device " + spec + ": CPU and GPU devices do not mix");
        return List.copyOf(out);
    }

    /** Why no GPU is visible, with what to set (for errors and {@code lxmert devices}). */
    public static String whyNoGpu(Natives.Libtorch lib, int driverGpus) {
        if (!lib.cuda()) {
            return "the loaded libtorch is the " + lib.flavor() + " build (" + lib.path() + "), not a CUDA one; on a GPU "
                    + "machine set PYTORCH_LIBRARY_PATH to a CUDA libtorch " + Natives.PYTORCH_VERSION
                    + " directory (e.g. a pip torch==" + Natives.PYTORCH_VERSION + "+" + Natives.CUDA_FLAVOR + " install's torch/lib, with "
                    + "PYTORCH_FLAVOR=" + Natives.CUDA_FLAVOR + "), or LXMERT_DJL_CACHE to a pre-filled DJL cache, or allow DJL's one-time "
                    + "download with --allow-download (LXMERT_ALLOW_DOWNLOAD=1); see README \"Running on a GPU\"";
        }
        return "the libtorch is a CUDA build (" + lib.path() + ") but the CUDA driver reports " + driverGpus
                + " GPUs (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
    }

    /**
     * Loads the engine ({@link Natives#prepare}), resolves {@code spec} and logs the choice and the libtorch once per
     * process on {@code log}.
     */
    public static Choice resolve(String spec, boolean allowDownload, Consumer<String> log) {
        Natives.Libtorch lib = Natives.prepare(allowDownload, log);
        int driver = Engine.getEngine("PyTorch").getGpuCount();
        int gpus = lib.cuda() ? driver : 0;
        Choice c = new Choice(parse(spec, gpus, whyNoGpu(lib, driver)), lib);
        if (!logged) {
            logged = true;
            log.accept("lxmert: " + c);
        }
        return c;
    }
}
