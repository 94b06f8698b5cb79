package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjTsvReaderTest {
    @TempDir Path tmp;

    @Test
    void readsTheOriginalFormat() throws Exception {
        List<String[]> rows = TsvFixtures.rows(3, 5, 7, 1);
        Path f = TsvFixtures.write(tmp.resolve("a.tsv"), rows);
        List<ObjTsvRow> got = ObjTsvReader.readAll(f, -1, 7);
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            String[] e = rows.get(i);
            ObjTsvRow g = got.get(i);
            assertEquals(e[0], g.imgId());
            assertEquals(Integer.parseInt(e[1]), g.imgH());
            assertEquals(Integer.parseInt(e[2]), g.imgW());
            assertEquals(5, g.numBoxes());
            assertEquals(7, g.featDim());
            assertArrayEquals(TsvFixtures.longs(e[3]), g.objectsId());
            assertArrayEquals(TsvFixtures.floats(e[4]), g.objectsConf());
            assertArrayEquals(TsvFixtures.longs(e[5]), g.attrsId());
            assertArrayEquals(TsvFixtures.floats(e[6]), g.attrsConf());
            assertArrayEquals(TsvFixtures.floats(e[8]), g.boxes());
            assertArrayEquals(TsvFixtures.floats(e[9]), g.features());
        }
        assertEquals(2, ObjTsvReader.readAll(f, 2, 0).size(), "topK = first K rows");
    }

    @Test
    void writerRoundTripsAndSkipsBlankLines() throws Exception {
        Path f = TsvFixtures.write(tmp.resolve("a.tsv"), TsvFixtures.rows(2, 3, 4, 2));
        List<ObjTsvRow> rows = ObjTsvReader.readAll(f, -1, 0);
        Path g = tmp.resolve("b.tsv");
        try (ObjTsvWriter w = new ObjTsvWriter(g)) { for (ObjTsvRow r : rows) w.write(r); }
        assertEquals(Files.readString(f), Files.readString(g), "writer reproduces the JDK-encoded lines byte for byte");
        Files.writeString(g, "\n" + Files.readString(g).replace("\n", "\r\n\n"));
        assertEquals(2, ObjTsvReader.readAll(g, -1, 0).size());
    }

    private void assertBad(Consumer<List<String[]>> corrupt, String... expected) throws Exception {
        List<String[]> rows = TsvFixtures.rows(3, 4, 6, 3);
        corrupt.accept(rows);
        Path f = TsvFixtures.write(tmp.resolve("bad.tsv"), rows);
        DataFormatException e = assertThrows(DataFormatException.class, () -> ObjTsvReader.readAll(f, -1, 0));
        assertTrue(e.getMessage().contains("bad.tsv"), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        // the feature store conversion reports the same error and leaves no store behind
        assertThrows(DataFormatException.class, () -> FeatureStore.open(f, tmp.resolve("cache"), -1, 0));
        if (Files.isDirectory(tmp.resolve("cache"))) {
            try (var s = Files.list(tmp.resolve("cache"))) { assertEquals(0, s.count(), "no store or temp file left"); }
        }
    }

    @Test
    void wrongFieldCount() throws Exception {
        assertBad(rows -> {
            String[] r = rows.get(1);
            rows.set(1, java.util.Arrays.copyOf(r, 9));
        }, "line 2", "img_id img_0001", "expected 10 tab-separated fields", "found 9");
    }

    @Test
    void badBase64() throws Exception {
        assertBad(rows -> rows.get(2)[9] = "!!!!" + rows.get(2)[9].substring(4), "line 3", "img_0002", "'features'", "bad base64");
    }

    @Test
    void arrayLengthMismatch() throws Exception {
        assertBad(rows -> rows.get(0)[7] = "5", "line 1", "img_0000", "num_boxes=5", "found 32 bytes");
        assertBad(rows -> rows.get(0)[9] = TsvFixtures.b64Floats(new float[4 * 6 + 1]), "line 1", "'features'", "multiple of 16");
    }

    @Test
    void nonFiniteValues() throws Exception {
        assertBad(rows -> {
            float[] f = TsvFixtures.floats(rows.get(1)[9]);
            f[5] = Float.NaN;
            rows.get(1)[9] = TsvFixtures.b64Floats(f);
        }, "line 2", "img_0001", "non-finite", "index 5");
        assertBad(rows -> {
            float[] f = TsvFixtures.floats(rows.get(1)[4]);
            f[0] = Float.POSITIVE_INFINITY;
            rows.get(1)[4] = TsvFixtures.b64Floats(f);
        }, "line 2", "'objects_conf'", "non-finite");
    }

    @Test
    void boxesOutsideTheImage() throws Exception {
        assertBad(rows -> {
            float[] b = TsvFixtures.floats(rows.get(2)[8]);
            b[6] = Integer.parseInt(rows.get(2)[2]) * 1.01f; // x2 of box 1 beyond img_w
            rows.get(2)[8] = TsvFixtures.b64Floats(b);
        }, "line 3", "img_0002", "box 1 coordinate 2", "outside the image");
        assertBad(rows -> {
            float[] b = TsvFixtures.floats(rows.get(0)[8]);
            b[1] = -1f;
            rows.get(0)[8] = TsvFixtures.b64Floats(b);
        }, "line 1", "box 0 coordinate 1");
    }

    @Test
    void featureDimIsCheckedAgainstExpectationAndAcrossRows() throws Exception {
        Path f = TsvFixtures.write(tmp.resolve("d.tsv"), TsvFixtures.rows(2, 4, 6, 4));
        var e = assertThrows(DataFormatException.class, () -> ObjTsvReader.readAll(f, -1, 2048));
        assertTrue(e.getMessage().contains("expected 2048, found 6") && e.getMessage().contains("line 1"), e.getMessage());
        List<String[]> rows = new ArrayList<>(TsvFixtures.rows(1, 4, 6, 5));
        rows.add(TsvFixtures.fields("other", 4, 8, 9));
        Path g = TsvFixtures.write(tmp.resolve("e.tsv"), rows);
        e = assertThrows(DataFormatException.class, () -> ObjTsvReader.readAll(g, -1, 0));
        assertTrue(e.getMessage().contains("line 2, img_id other") && e.getMessage().contains("expected 6"), e.getMessage());
    }

    @Test
    void badIntegers() throws Exception {
        assertBad(rows -> rows.get(1)[1] = "tall", "line 2", "'img_h'", "expected an integer", "'tall'");
        assertBad(rows -> rows.get(1)[2] = "0", "line 2", "must be positive");
    }
}
