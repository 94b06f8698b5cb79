package lxmert.cli;

import lxmert.util.Devices;
import lxmert.util.EngineThreads;
import lxmert.util.Natives;
import picocli.CommandLine.Option;

/**
 * {@code --device}, {@code --threads}, {@code --allow-download}: the options of every command (and magic) that
 * computes, as a picocli mixin ({@code @Mixin DeviceOption dev;}). {@link #apply()} loads the engine, sets the threads
 * and returns the checked device choice (logged once per process on stderr).
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "DEVICES",
            description = "cpu, gpu, gpu0, gpu1, ... or a comma-separated list (default: gpu0 when a GPU is visible "
                    + "through a CUDA libtorch, else cpu)")
    public String device;

    @Option(names = "--threads", paramLabel = "auto|N", converter = DeviceOption.Threads.class,
            description = "PyTorch's threads, process-wide: auto (the default) starts with the CPUs this process may use "
                    + "(affinity, cgroup quota) and on the CPU follows the CPUs it gets beside other busy processes; "
                    + "N fixes intra-op and inter-op threads at N")
    public String threads;

    @Option(names = "--allow-download",
            description = "let DJL download its CUDA libtorch (2.7.1 cu128 with DJL 0.36) once into its cache "
                    + "when a GPU is present (also: LXMERT_ALLOW_DOWNLOAD=1); offline otherwise")
    public boolean allowDownload;

    /** {@code auto} or a positive whole number, checked while the command line is parsed. */
    public static final class Threads implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (v.strip().equalsIgnoreCase("auto")) return "auto";
            try {
                if (Integer.parseInt(v.strip()) > 0) return v.strip();
            } catch (NumberFormatException e) {
                // below
            }
            throw new picocli.CommandLine.TypeConversionException("must be auto or a positive whole number, got '" + v + "'");
        }
    }

    /** Loads the engine, applies {@code --threads} and resolves {@code --device}. */
    public Devices.Choice apply() {
        boolean allow = allowDownload || Natives.downloadAllowedByEnvironment();
        Devices.Choice c = Devices.resolve(device, allow, System.err::println);
        EngineThreads.apply(threads, System.err::println);
        return c;
    }
}
