package io.github.spencerpark.ijava;

/**
 * Test stand-in for IJava's entry class (IJava is not on Maven Central): only the static accessor that
 * {@code lxmert.kernel.LxmertExtension.install()} looks up by reflection.
 */
public final class IJava {
    private static volatile Object kernel;

    private IJava() {
    }

    public static Object getKernelInstance() {
        return kernel;
    }

    public static void setKernelInstance(Object k) {
        kernel = k;
    }
}
