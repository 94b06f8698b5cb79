package lxmert.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/** Builds obj36 TSV lines independently of the production writer (JDK base64 + ByteBuffer). */
final class TsvFixtures {
    private TsvFixtures() {}

    static String b64Longs(long[] a) {
        ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : a) b.putLong(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static String b64Floats(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : a) b.putFloat(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** A row's ten fields for a random valid image of n boxes and dim d (seeded). */
    static String[] fields(String id, int n, int d, long seed) {
        Random r = new Random(seed);
        int h = 100 + r.nextInt(400), w = 100 + r.nextInt(400);
        long[] obj = new long[n], attr = new long[n];
        float[] objc = new float[n], attrc = new float[n], boxes = new float[4 * n], feats = new float[n * d];
        for (int i = 0; i < n; i++) {
            obj[i] = r.nextInt(1600);
            attr[i] = r.nextInt(400);
            objc[i] = r.nextFloat();
            attrc[i] = r.nextFloat();
            float x1 = r.nextFloat() * w / 2, y1 = r.nextFloat() * h / 2;
            boxes[4 * i] = x1;
            boxes[4 * i + 1] = y1;
            boxes[4 * i + 2] = x1 + r.nextFloat() * (w - x1);
            boxes[4 * i + 3] = y1 + r.nextFloat() * (h - y1);
        }
        for (int i = 0; i < n * d; i++) feats[i] = r.nextFloat() * 5;
        if (n > 0) { boxes[2] = w; boxes[3] = h; } // exactly on the border is allowed
        return new String[]{id, Integer.toString(h), Integer.toString(w), b64Longs(obj), b64Floats(objc), b64Longs(attr),
                b64Floats(attrc), Integer.toString(n), b64Floats(boxes), b64Floats(feats)};
    }

    static float[] floats(String b64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) out[i] = b.getFloat();
        return out;
    }

    static long[] longs(String b64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[b.remaining() / 8];
        for (int i = 0; i < out.length; i++) out[i] = b.getLong();
        return out;
    }

    static Path write(Path file, List<String[]> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String[] f : rows) lines.add(String.join("\t", f));
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    static List<String[]> rows(int count, int n, int d, long seed) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(fields(String.format("img_%04d", i), n, d, seed * 1000 + i));
        return out;
    }
}
