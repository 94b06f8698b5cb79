package lxmert.checkpoint;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal pickle virtual machine for the streams {@code torch.save} produces (protocol 2, plus the protocol 3-5
 * opcodes newer Pythons emit for the same objects). It builds plain Java values: {@code String}, {@code Long}
 * (or {@code BigInteger}), {@code Double}, {@code Boolean}, {@code null} for None, {@link Tuple}, {@code ArrayList},
 * {@code LinkedHashMap} for dicts, {@code byte[]}, {@link Global}. Calls ({@code REDUCE}/{@code NEWOBJ}) and
 * persistent ids are delegated to a {@link Resolver}, which decides what each global means; anything else
 * (an unknown opcode or global) is a {@link CheckpointException} naming the file, offset and opcode.
 */
final class PickleReader {

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Tuple { items = Collections.unmodifiableList(new ArrayList<>(items)); }

        Object get(int i) { return items.get(i); }

        int size() { return items.size(); }
    }

    /** A reference to a module-level Python name, e.g. {@code collections.OrderedDict}. */
    record Global(String module, String name) {
        @Override
        public String toString() { return module + "." + name; }
    }

    /** Gives meaning to globals and persistent ids. */
    interface Resolver {
        /** Result of calling {@code callable(*args)} (REDUCE or NEWOBJ). */
        Object call(Global callable, Tuple args, long offset);

        /** Result of BINPERSID on {@code pid}. */
        Object persistentLoad(Object pid, long offset);

        /** Applies BUILD state to {@code obj}; returns the object to keep on the stack. */
        Object build(Object obj, Object state, long offset);
    }

    private final ByteSource in;
    private final Resolver resolver;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    PickleReader(ByteSource in, Resolver resolver) {
        this.in = in;
        this.resolver = resolver;
    }

    /** Reads one pickle (up to and including STOP) and returns its value. */
    Object load() {
        stack.clear();
        marks.clear();
        memo.clear();
        while (true) {
            long at = in.position();
            int op = in.read();
            switch (op) {
                case 0x80: { // PROTO
                    int v = in.read();
                    if (v > 5) throw error(at, "unsupported pickle protocol " + v);
                    break;
                }
                case 0x95: readLE(8); break; // FRAME: framing is transparent for a sequential reader
                case '.': { // STOP
                    if (stack.isEmpty()) throw error(at, "STOP with an empty stack");
                    return pop();
                }
                case '(': marks.add(stack.size()); break;
                case '}': stack.add(new LinkedHashMap<Object, Object>()); break;
                case ']': stack.add(new ArrayList<Object>()); break;
                case ')': stack.add(new Tuple(List.of())); break;
                case 't': stack.add(new Tuple(popMark(at))); break;
                case 0x85: stack.add(tuple(pop())); break;
                case 0x86: { Object b = pop(), a = pop(); stack.add(tuple(a, b)); break; }
                case 0x87: { Object c = pop(), b = pop(), a = pop(); stack.add(tuple(a, b, c)); break; }
                case 'X': stack.add(utf8(len32(at))); break;
                case 0x8c: stack.add(utf8(in.read())); break;
                case 0x8d: stack.add(utf8(len64(at))); break;
                case 'T': stack.add(latin1(len32(at))); break;
                case 'U': stack.add(latin1(in.read())); break;
                case 'B': stack.add(bytes(len32(at))); break;
                case 'C': stack.add(bytes(in.read())); break;
                case 0x8e: stack.add(bytes(len64(at))); break;
                case 'c': { String m = line(at), n = line(at); stack.add(new Global(m, n)); break; }
                case 0x93: { Object n = pop(), m = pop(); stack.add(new Global(str(m, at), str(n, at))); break; }
                case 'q': memo.put((long) in.read(), peek(at)); break;
                case 'r': memo.put(readLE(4) & 0xffffffffL, peek(at)); break;
                case 0x94: memo.put((long) memo.size(), peek(at)); break;
                case 'h': stack.add(memoGet(in.read(), at)); break;
                case 'j': stack.add(memoGet(readLE(4) & 0xffffffffL, at)); break;
                case 'J': stack.add((long) (int) readLE(4)); break;
                case 'K': stack.add((long) in.read()); break;
                case 'M': stack.add(readLE(2)); break;
                case 0x8a: stack.add(longN(in.read())); break;
                case 0x8b: stack.add(longN(len32(at))); break;
                case 0x88: stack.add(Boolean.TRUE); break;
                case 0x89: stack.add(Boolean.FALSE); break;
                case 'N': stack.add(null); break;
                case 'G': { long bits = 0; for (int i = 0; i < 8; i++) bits = (bits << 8) | in.read(); stack.add(Double.longBitsToDouble(bits)); break; }
                case '0': pop(); break;
                case '1': popMark(at); break;
                case '2': stack.add(peek(at)); break;
                case 'R': case 0x81: { // REDUCE, NEWOBJ
                    Object args = pop(), fn = pop();
                    if (!(fn instanceof Global)) throw error(at, (op == 'R' ? "REDUCE" : "NEWOBJ") + " on a non-global callable " + describe(fn));
                    if (!(args instanceof Tuple)) throw error(at, "REDUCE arguments are not a tuple: " + describe(args));
                    stack.add(resolver.call((Global) fn, (Tuple) args, at));
                    break;
                }
                case 'Q': stack.add(resolver.persistentLoad(pop(), at)); break;
                case 'b': { Object state = pop(), obj = pop(); stack.add(resolver.build(obj, state, at)); break; }
                case 's': { Object v = pop(), k = pop(); dict(peek(at), at).put(k, v); break; }
                case 'u': {
                    List<Object> kv = popMark(at);
                    Map<Object, Object> d = dict(peek(at), at);
                    for (int i = 0; i + 1 < kv.size(); i += 2) d.put(kv.get(i), kv.get(i + 1));
                    break;
                }
                case 'a': { Object v = pop(); list(peek(at), at).add(v); break; }
                case 'e': { List<Object> vs = popMark(at); list(peek(at), at).addAll(vs); break; }
                default:
                    throw error(at, String.format("unknown or unsupported pickle opcode 0x%02x ('%s')", op,
                            op >= 32 && op < 127 ? String.valueOf((char) op) : "?"));
            }
        }
    }

    private static Tuple tuple(Object... xs) {
        List<Object> l = new ArrayList<>(xs.length);
        Collections.addAll(l, xs);
        return new Tuple(l);
    }

    private CheckpointException error(long at, String msg) {
        return new CheckpointException(in.file + ": " + msg + " at pickle offset " + at);
    }

    private Object pop() {
        if (stack.isEmpty()) throw error(in.position(), "pickle stack underflow");
        if (!marks.isEmpty() && marks.get(marks.size() - 1) >= stack.size()) {
            throw error(in.position(), "pickle stack underflow below the last MARK");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(long at) {
        if (stack.isEmpty()) throw error(at, "pickle stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(long at) {
        if (marks.isEmpty()) throw error(at, "no MARK on the pickle stack");
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key, long at) {
        if (!memo.containsKey(key)) throw error(at, "memo key " + key + " was never stored");
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, long at) {
        if (o instanceof Map) return (Map<Object, Object>) o;
        throw error(at, "SETITEM(S) on a non-dict " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, long at) {
        if (o instanceof ArrayList) return (List<Object>) o;
        throw error(at, "APPEND(S) on a non-list " + describe(o));
    }

    private String str(Object o, long at) {
        if (o instanceof String) return (String) o;
        throw error(at, "STACK_GLOBAL expects strings, found " + describe(o));
    }

    static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName() + " " + o;
    }

    private long readLE(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v |= ((long) in.read()) << (8 * i);
        return v;
    }

    private int len32(long at) {
        long n = readLE(4);
        if (n > Integer.MAX_VALUE) throw error(at, "string/bytes length " + n + " too large");
        return (int) n;
    }

    private int len64(long at) {
        long n = readLE(8);
        if (n < 0 || n > Integer.MAX_VALUE) throw error(at, "string/bytes length " + n + " too large");
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private String utf8(int n) { return new String(bytes(n), StandardCharsets.UTF_8); }

    private String latin1(int n) { return new String(bytes(n), StandardCharsets.ISO_8859_1); }

    private String line(long at) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c == '\n') return sb.toString();
            if (sb.length() > 4096) throw error(at, "GLOBAL name line too long");
            sb.append((char) c);
        }
    }

    /** LONG1/LONG4: little-endian two's complement; Long when it fits, else BigInteger. */
    private Object longN(int n) {
        if (n == 0) return 0L;
        byte[] le = bytes(n);
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
