package lxmert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Restoring BertAdam's state (resume) copies the values in, and leaks no libtorch deprecation warning on stderr. */
class BertAdamStateTest {
    static final String WARNING = "AutoNonVariableTypeMode is deprecated";

    /** Restores a BertAdam state; with argument "set" also calls {@code NDArray.set(float[])} (the call that warns). */
    public static void main(String[] args) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("w", m.zeros(new Shape(2, 3)));
            BertAdam opt = new BertAdam(p, 1e-3, 0.1, 10);
            float[] a = {1, 2, 3, 4, 5, 6};
            float[] b = {6, 5, 4, 3, 2, 1};
            opt.loadState(Map.of("w.next_m", a, "w.next_v", b), 7);
            if (args.length > 0 && args[0].equals("set")) m.zeros(new Shape(6)).set(a);
            System.out.println(java.util.Arrays.toString(opt.stateArrays().get("w.next_m").toFloatArray())
                    + java.util.Arrays.toString(opt.stateArrays().get("w.next_v").toFloatArray()));
        }
    }

    record Out(int rc, String out, String err) {}

    static Out runMain(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", BertAdamStateTest.class.getName()));
        cmd.addAll(List.of(args));
        Process pr = new ProcessBuilder(cmd).start();
        pr.getOutputStream().close();
        byte[] out = pr.getInputStream().readAllBytes();
        byte[] err = pr.getErrorStream().readAllBytes();
        assertTrue(pr.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
        return new Out(pr.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void loadStateCopiesTheValuesIn() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("w", m.zeros(new Shape(2, 3)));
            BertAdam opt = new BertAdam(p, 1e-3, 0.1, 10);
            float[] a = {1, 2, 3, 4, 5, 6};
            float[] b = {6, 5, 4, 3, 2, 1};
            opt.loadState(Map.of("w.next_m", a, "w.next_v", b), 7);
            assertArrayEquals(a, opt.stateArrays().get("w.next_m").toFloatArray());
            assertArrayEquals(b, opt.stateArrays().get("w.next_v").toFloatArray());
            assertEquals(new Shape(2, 3), opt.stateArrays().get("w.next_m").getShape());
        }
    }

    /**
     * libtorch prints the warning once per process, so each case runs in its own JVM; the second case shows that
     * the check sees the warning when the call that triggers it is made.
     */
    @Test
    void loadStatePrintsNoDeprecationWarning() throws Exception {
        Out quiet = runMain();
        assertEquals(0, quiet.rc(), quiet.err());
        assertEquals("[1.0, 2.0, 3.0, 4.0, 5.0, 6.0][6.0, 5.0, 4.0, 3.0, 2.0, 1.0]", quiet.out().strip());
        assertFalse(quiet.err().contains(WARNING), quiet.err());
        Out warned = runMain("set");
        assertEquals(0, warned.rc(), warned.err());
        assertTrue(warned.err().contains(WARNING), "NDArray.set(float[]) warns (the check can see it): " + warned.err());
    }
}
