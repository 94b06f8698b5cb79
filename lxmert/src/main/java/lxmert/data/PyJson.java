package lxmert.data;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Serialises values byte-for-byte as Python's {@code json.dump} does with {@code ensure_ascii=True}: with
 * {@code indent=None} the separators are {@code ", "} and {@code ": "}; with an indent, items end in {@code ","} plus a
 * newline and nested levels are indented, empty containers stay {@code []} / {@code {}}. {@code sortKeys} sorts dict
 * keys by code point. Floats use Python's {@code repr} (shortest round-trip digits, {@code 1e-05}, {@code 1e+16},
 * {@code 1.0}); non-ASCII characters become {@code \\uXXXX} escapes (UTF-16 units, as Python).
 *
 * <p>Accepted values: {@link Map} (insertion order unless sorted), {@link List}, {@link CharSequence}, integral
 * {@link Number}s, {@link Double}/{@link Float}, {@link Boolean}, null, and Jackson {@link JsonNode} trees.
 */
public final class PyJson {
    private PyJson() {}

    /** {@code json.dumps(value, indent=indent, sort_keys=sortKeys)}; {@code indent < 0} means None. */
    public static String dumps(Object value, int indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, sortKeys, 0);
        return sb.toString();
    }

    public static void dump(Object value, Writer w, int indent, boolean sortKeys) throws IOException {
        w.write(dumps(value, indent, sortKeys));
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        sb.append('\n');
        for (int i = 0; i < indent * level; i++) sb.append(' ');
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder sb, Object v, int indent, boolean sort, int level) {
        if (v instanceof JsonNode n) v = fromNode(n);
        if (v == null) sb.append("null");
        else if (v instanceof Boolean b) sb.append(b ? "true" : "false");
        else if (v instanceof CharSequence s) string(sb, s.toString());
        else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) sb.append(floatRepr(((Number) v).doubleValue()));
        else if (v instanceof Number num) sb.append(num.toString());
        else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) { sb.append("{}"); return; }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sort) entries.sort((a, b) -> compareCodePoints(String.valueOf(a.getKey()), String.valueOf(b.getKey())));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) sb.append(indent >= 0 ? "," : ", ");
                first = false;
                if (indent >= 0) newline(sb, indent, level + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent, sort, level + 1);
            }
            if (indent >= 0) newline(sb, indent, level);
            sb.append('}');
        } else if (v instanceof Iterable<?> it) {
            Iterator<?> i = it.iterator();
            if (!i.hasNext()) { sb.append("[]"); return; }
            sb.append('[');
            boolean first = true;
            while (i.hasNext()) {
                if (!first) sb.append(indent >= 0 ? "," : ", ");
                first = false;
                if (indent >= 0) newline(sb, indent, level + 1);
                write(sb, i.next(), indent, sort, level + 1);
            }
            if (indent >= 0) newline(sb, indent, level);
            sb.append(']');
        } else throw new IllegalArgumentException("not JSON-serialisable: " + v.getClass());
    }

    private static Object fromNode(JsonNode n) {
        if (n.isNull() || n.isMissingNode()) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.bigIntegerValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(l::add);
            return l;
        }
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A JSON string literal with Python's ensure_ascii escaping. */
    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Python's {@code float.__repr__}: shortest round-trip digits; fixed notation for 1e-4 <= |x| < 1e16. */
    public static String floatRepr(double x) {
        if (Double.isNaN(x)) return "NaN";
        if (Double.isInfinite(x)) return x > 0 ? "Infinity" : "-Infinity";
        if (x == 0) return (1 / x < 0) ? "-0.0" : "0.0";
        String digits = null;
        int exp = 0;
        for (int p = 1; p <= 17; p++) {
            String s = String.format(java.util.Locale.ROOT, "%." + (p - 1) + "e", x);
            if (Double.parseDouble(s) == x) {
                int e = s.indexOf('e');
                digits = s.substring(0, e).replace(".", "").replace("-", "");
                exp = Integer.parseInt(s.substring(e + 1));
                break;
            }
        }
        while (digits.length() > 1 && digits.endsWith("0")) digits = digits.substring(0, digits.length() - 1);
        StringBuilder sb = new StringBuilder();
        if (x < 0) sb.append('-');
        if (exp >= -4 && exp < 16) {
            if (exp >= 0) {
                if (digits.length() <= exp + 1) {
                    sb.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
                } else {
                    sb.append(digits, 0, exp + 1).append('.').append(digits.substring(exp + 1));
                }
            } else {
                sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits.substring(1));
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) sb.append('0');
            sb.append(a);
        }
        return sb.toString();
    }
}
