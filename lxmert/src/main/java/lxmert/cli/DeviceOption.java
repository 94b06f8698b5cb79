package lxmert.cli;

import lxmert.util.Check;
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

    @Option(names = "--threads", converter = Check.PositiveInt.class,
            description = "PyTorch intra-op and inter-op threads, process-wide (default: PyTorch's)")
    public Integer threads;

    @Option(names = "--allow-download",
            description = "let DJL download its CUDA libtorch (2.7.1 cu128 with DJL 0.36) once into its cache "
                    + "when a GPU is present (also: LXMERT_ALLOW_DOWNLOAD=1); offline otherwise")
    public boolean allowDownload;

    /** Loads the engine, applies {@code --threads} and resolves {@code --device}. */
    public Devices.Choice apply() {
        boolean allow = allowDownload || Natives.downloadAllowedByEnvironment();
        Devices.Choice c = Devices.resolve(device, allow, System.err::println);
        EngineThreads.set(threads, System.err::println);
        return c;
    }
}
