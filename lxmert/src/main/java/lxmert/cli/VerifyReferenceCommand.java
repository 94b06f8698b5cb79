package lxmert.cli;

import lxmert.verify.ReferenceVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code verify-reference}: run a fixture of the original code through this implementation and compare. */
@Command(name = "verify-reference", mixinStandardHelpOptions = true,
        description = "Compare every output of a reference fixture (produced by the original code) with this implementation.")
public final class VerifyReferenceCommand implements Callable<Integer> {
    @Option(names = "--fixture", required = true, description = "fixture directory (manifest.json, *.pth, in_*.npy, out_*.npy)")
    Path fixture;
    @Mixin DeviceOption dev;

    @Override
    public Integer call() throws Exception {
        ai.djl.Device device = dev.apply().single("verify-reference");
        ReferenceVerifier v = new ReferenceVerifier(fixture, System.err::println);
        ReferenceVerifier.Report r = v.run(device);
        for (String n : r.notes()) System.out.println("# " + n);
        for (ReferenceVerifier.Comparison c : r.compared()) {
            System.out.printf(Locale.ROOT, "%s max_abs_diff=%.3g%s%s%n", c.name(), c.maxAbsDiff(), c.ok() ? "" : " FAIL",
                    c.note() == null ? "" : " (" + c.note() + ")");
        }
        for (ReferenceVerifier.Skipped s : r.skipped()) System.out.println("# not checked: " + s.name() + ": " + s.reason());
        System.out.printf(Locale.ROOT, "max_abs_diff=%.3g outputs=%d%n", r.maxAbsDiff(), r.compared().size());
        return r.ok() ? 0 : 1;
    }
}
