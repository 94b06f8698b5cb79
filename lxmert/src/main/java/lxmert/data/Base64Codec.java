package lxmert.data;

/**
 * Strict standard-alphabet base64 (RFC 4648, '=' padding) decoding straight into a caller's byte array, without
 * intermediate copies. Used by the obj36 TSV reader, where every row carries six base64 arrays of up to ~400 KB.
 */
public final class Base64Codec {
    private static final byte[] DEC = new byte[256];
    private static final byte[] ENC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static {
        java.util.Arrays.fill(DEC, (byte) -1);
        for (int i = 0; i < ENC.length; i++) DEC[ENC[i]] = (byte) i;
    }

    private Base64Codec() {}

    /** Thrown for malformed input; {@link #position} is the offending offset relative to the field start. */
    public static final class Base64Exception extends IllegalArgumentException {
        public final int position;
        Base64Exception(String msg, int position) { super(msg); this.position = position; }
    }

    /** Number of bytes {@code src[from,to)} decodes to; throws if the length or padding is invalid. */
    public static int decodedLength(byte[] src, int from, int to) {
        int len = to - from;
        if (len % 4 != 0) throw new Base64Exception("base64 length " + len + " is not a multiple of 4", len);
        if (len == 0) return 0;
        int pad = 0;
        if (src[to - 1] == '=') pad++;
        if (src[to - 2] == '=') pad++;
        return len / 4 * 3 - pad;
    }

    /** Decodes {@code src[from,to)} into {@code dst} at {@code off}; returns the number of bytes written. */
    public static int decode(byte[] src, int from, int to, byte[] dst, int off) {
        int n = decodedLength(src, from, to);
        int len = to - from;
        if (len == 0) return 0;
        int full = (n / 3) * 4; // chars forming complete 3-byte groups
        int s = from, d = off, end = from + full;
        while (s < end) {
            int a = DEC[src[s] & 0xff], b = DEC[src[s + 1] & 0xff], c = DEC[src[s + 2] & 0xff], e = DEC[src[s + 3] & 0xff];
            if ((a | b | c | e) < 0) throw bad(src, s, from);
            int v = (a << 18) | (b << 12) | (c << 6) | e;
            dst[d] = (byte) (v >> 16);
            dst[d + 1] = (byte) (v >> 8);
            dst[d + 2] = (byte) v;
            s += 4;
            d += 3;
        }
        int rest = n - (n / 3) * 3;
        if (rest > 0) {
            int a = DEC[src[s] & 0xff], b = DEC[src[s + 1] & 0xff];
            if ((a | b) < 0) throw bad(src, s, from);
            if (rest == 1) {
                if (src[s + 2] != '=' || src[s + 3] != '=') throw bad(src, s + 2, from);
                dst[d] = (byte) ((a << 2) | (b >> 4));
            } else {
                int c = DEC[src[s + 2] & 0xff];
                if (c < 0 || src[s + 3] != '=') throw bad(src, s + 2, from);
                int v = (a << 10) | (b << 4) | (c >> 2);
                dst[d] = (byte) (v >> 8);
                dst[d + 1] = (byte) v;
            }
        } else if (s < to) {
            throw bad(src, s, from);
        }
        return n;
    }

    private static Base64Exception bad(byte[] src, int s, int from) {
        for (int i = s; i < Math.min(src.length, s + 4); i++) {
            if (DEC[src[i] & 0xff] < 0) {
                return new Base64Exception("invalid base64 character '" + printable(src[i]) + "' at offset " + (i - from), i - from);
            }
        }
        return new Base64Exception("invalid base64 padding at offset " + (s - from), s - from);
    }

    private static String printable(byte b) {
        int c = b & 0xff;
        return c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }

    /** Standard base64 encoding with padding (used by the TSV writer). */
    public static byte[] encode(byte[] src, int off, int len) {
        byte[] out = new byte[(len + 2) / 3 * 4];
        int d = 0, i = off, end = off + len - len % 3;
        while (i < end) {
            int v = ((src[i] & 0xff) << 16) | ((src[i + 1] & 0xff) << 8) | (src[i + 2] & 0xff);
            out[d++] = ENC[(v >> 18) & 63];
            out[d++] = ENC[(v >> 12) & 63];
            out[d++] = ENC[(v >> 6) & 63];
            out[d++] = ENC[v & 63];
            i += 3;
        }
        int rest = off + len - end;
        if (rest == 1) {
            int v = (src[i] & 0xff) << 16;
            out[d++] = ENC[(v >> 18) & 63];
            out[d++] = ENC[(v >> 12) & 63];
            out[d++] = '=';
            out[d] = '=';
        } else if (rest == 2) {
            int v = ((src[i] & 0xff) << 16) | ((src[i + 1] & 0xff) << 8);
            out[d++] = ENC[(v >> 18) & 63];
            out[d++] = ENC[(v >> 12) & 63];
            out[d++] = ENC[(v >> 6) & 63];
            out[d] = '=';
        }
        return out;
    }
}
