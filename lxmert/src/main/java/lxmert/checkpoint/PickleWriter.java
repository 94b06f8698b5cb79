package lxmert.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Emits the small subset of pickle protocol 2 that {@code torch.save} uses for a state dict: the same opcodes as
 * CPython's pickler produces for these objects (PROTO, GLOBAL, BINPUT/BINGET for repeated globals, MARK, TUPLE*,
 * BINUNICODE, BININT*, LONG1, NEWFALSE, REDUCE, BINPERSID, SETITEMS, STOP).
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> globalMemo = new HashMap<>();

    PickleWriter proto() { out.write(0x80); out.write(2); return this; }

    PickleWriter stop() { out.write('.'); return this; }

    PickleWriter mark() { out.write('('); return this; }

    /** GLOBAL module\nname\n, memoized so that repeats are BINGETs. */
    PickleWriter global(String module, String name) {
        String k = module + "\n" + name + "\n";
        Integer idx = globalMemo.get(k);
        if (idx != null) return get(idx);
        out.write('c');
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        idx = globalMemo.size();
        globalMemo.put(k, idx);
        return put(idx);
    }

    private PickleWriter put(int idx) {
        if (idx < 256) { out.write('q'); out.write(idx); }
        else { out.write('r'); le(idx, 4); }
        return this;
    }

    private PickleWriter get(int idx) {
        if (idx < 256) { out.write('h'); out.write(idx); }
        else { out.write('j'); le(idx, 4); }
        return this;
    }

    PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        le(b.length, 4);
        out.write(b, 0, b.length);
        return this;
    }

    /** An int with the shortest opcode CPython's protocol-2 pickler would use. */
    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) { out.write('K'); out.write((int) v); }
        else if (v >= 0 && v < 65536) { out.write('M'); le(v, 2); }
        else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) { out.write('J'); le(v, 4); }
        else {
            // LONG1: minimal little-endian two's complement
            byte[] b = java.math.BigInteger.valueOf(v).toByteArray(); // big-endian, minimal
            out.write(0x8a);
            out.write(b.length);
            for (int i = b.length - 1; i >= 0; i--) out.write(b[i]);
        }
        return this;
    }

    PickleWriter bool(boolean b) { out.write(b ? 0x88 : 0x89); return this; }

    PickleWriter emptyTuple() { out.write(')'); return this; }

    /** TUPLE (after a MARK). */
    PickleWriter tuple() { out.write('t'); return this; }

    /** A tuple of ints, using EMPTY_TUPLE/TUPLE1-3/MARK..TUPLE like CPython. */
    PickleWriter intTuple(long[] v) {
        if (v.length == 0) return emptyTuple();
        if (v.length > 3) mark();
        for (long x : v) integer(x);
        if (v.length == 1) out.write(0x85);
        else if (v.length == 2) out.write(0x86);
        else if (v.length == 3) out.write(0x87);
        else tuple();
        return this;
    }

    PickleWriter reduce() { out.write('R'); return this; }

    PickleWriter binpersid() { out.write('Q'); return this; }

    PickleWriter setitems() { out.write('u'); return this; }

    private void le(long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    }

    byte[] toByteArray() { return out.toByteArray(); }
}
