package lxmert.util;

import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * glibc malloc kept from giving memory back to the kernel between training steps. libtorch takes every tensor from
 * malloc; with glibc's defaults a step's freed activations and temporaries go back to the kernel (the heap top is
 * trimmed above 128 KiB, blocks above a moving threshold are separate mappings) and the next step faults the same
 * pages in again, each one zeroed by the kernel: 12,000-20,000 page faults per step of the {@code tiny} training
 * step, 250,000-490,000 per lxr955 step (AMD EPYC, 2 cores; {@code bench model} prints page_faults per step). With
 * {@code mallopt} at engine start (mmap threshold fixed at glibc's largest, 32 MiB; trim threshold 512 MiB; top pad
 * 64 MiB) the tiny step takes 0-4,600. The price: up to 512 MiB of freed memory may stay in the process.
 *
 * <p>Not done when {@code LXMERT_MALLOC=default}, when any {@code MALLOC_*_} variable is set (the user tuned malloc),
 * or where there is no glibc {@code mallopt} (then the reason is in {@link #state()}).
 */
public final class Allocator {
    static final int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3;
    public static final int MMAP_THRESHOLD = 32 << 20, TRIM_THRESHOLD = 512 << 20, TOP_PAD = 64 << 20;
    private static volatile String state;

    private Allocator() {}

    interface C extends Library {
        int mallopt(int param, int value);
    }

    /** Tunes malloc once per process; returns {@link #state()}. */
    public static synchronized String tune() {
        if (state != null) return state;
        state = tune(System.getenv());
        return state;
    }

    static String tune(Map<String, String> env) {
        String choice = env.getOrDefault("LXMERT_MALLOC", "");
        if (choice.strip().equalsIgnoreCase("default")) return "glibc defaults (LXMERT_MALLOC=default)";
        for (String k : env.keySet()) {
            if (k.startsWith("MALLOC_") && k.endsWith("_")) return "as the environment sets it (" + k + ")";
        }
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) return "the system's (not Linux)";
        try {
            C c = Native.load("c", C.class);
            boolean ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    & c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                    & c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            return ok ? "glibc malloc kept (mmap threshold 32 MiB, trim threshold 512 MiB, top pad 64 MiB; LXMERT_MALLOC=default for glibc's defaults)"
                    : "glibc defaults (mallopt refused a setting)";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "the system's (no glibc mallopt: " + e.getMessage() + ")";
        }
    }

    /** What {@link #tune()} did, or null before. */
    public static String state() {
        return state;
    }
}
