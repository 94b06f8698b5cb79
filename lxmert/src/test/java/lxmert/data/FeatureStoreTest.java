package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStoreTest {
    @TempDir Path tmp;

    @Test
    void convertsOnceAndServesTheSameValuesAsTheTsv() throws Exception {
        List<String[]> rows = TsvFixtures.rows(20, 6, 5, 7);
        rows.add(TsvFixtures.fields("short", 3, 5, 99)); // fewer boxes than the others
        Path tsv = TsvFixtures.write(tmp.resolve("feat_obj36.tsv"), rows);
        FeatureStore st = FeatureStore.open(tsv, null, -1, 5);
        assertTrue(st.converted());
        assertEquals(tmp.resolve("feat_obj36.tsv.all.lxfs"), st.path(), "store beside the TSV by default");
        assertEquals(21, st.size());
        assertEquals(5, st.featDim());
        assertEquals(6, st.maxBoxes());
        FeatureStore again = FeatureStore.open(tsv, null, -1, 0);
        assertFalse(again.converted(), "second open maps the existing store");
        for (int i = 0; i < rows.size(); i++) {
            String[] e = rows.get(i);
            int n = Integer.parseInt(e[7]);
            float w = Integer.parseInt(e[2]), h = Integer.parseInt(e[1]);
            String id = e[0];
            assertEquals(i, again.index(id));
            assertEquals(id, again.ids().get(i));
            assertEquals(n, again.numBoxes(id));
            assertEquals((int) h, again.imgH(i));
            assertEquals((int) w, again.imgW(i));
            float[] feats = new float[n * 5 + 2];
            again.copyFeatures(id, feats, 1);
            float[] ef = TsvFixtures.floats(e[9]);
            for (int k = 0; k < ef.length; k++) assertEquals(ef[k], feats[k + 1]);
            float[] boxes = new float[4 * n];
            again.copyBoxes(id, boxes, 0);
            float[] eb = TsvFixtures.floats(e[8]);
            for (int k = 0; k < eb.length; k++) {
                float expect = eb[k] / ((k % 2 == 0) ? w : h); // float32 division, as numpy's in-place /=
                assertEquals(Float.floatToIntBits(expect), Float.floatToIntBits(boxes[k]), "box value " + k + " of " + id);
            }
            long[] obj = new long[n], attr = new long[n];
            float[] oc = new float[n], ac = new float[n];
            again.copyObjectIds(i, obj, 0);
            again.copyAttrIds(i, attr, 0);
            again.copyObjectConfs(i, oc, 0);
            again.copyAttrConfs(i, ac, 0);
            assertArrayEquals(TsvFixtures.longs(e[3]), obj);
            assertArrayEquals(TsvFixtures.floats(e[4]), oc);
            assertArrayEquals(TsvFixtures.longs(e[5]), attr);
            assertArrayEquals(TsvFixtures.floats(e[6]), ac);
        }
        assertEquals(-1, again.index("missing"));
        assertFalse(again.contains("img_00"));
        var ex = assertThrows(IllegalArgumentException.class, () -> again.copyFeatures("missing", new float[30], 0));
        assertTrue(ex.getMessage().contains("missing"));
    }

    @Test
    void topKStoresAndViewsOfTheFullStore() throws Exception {
        Path tsv = TsvFixtures.write(tmp.resolve("t.tsv"), TsvFixtures.rows(10, 2, 3, 8));
        Path cache = tmp.resolve("cache");
        FeatureStore tiny = FeatureStore.open(tsv, cache, 4, 0);
        assertTrue(tiny.converted());
        assertTrue(tiny.path().startsWith(cache) && tiny.path().toString().endsWith(".top4.lxfs"), tiny.path().toString());
        assertEquals(4, tiny.size());
        assertTrue(tiny.contains("img_0003"));
        assertFalse(tiny.contains("img_0004"));
        FeatureStore full = FeatureStore.open(tsv, cache, -1, 0);
        assertEquals(10, full.size());
        FeatureStore view = FeatureStore.open(tsv, cache, 6, 0);
        assertFalse(view.converted(), "served as a view of the full store");
        assertEquals(full.path(), view.path());
        assertEquals(6, view.size());
        assertEquals(6, view.ids().size());
        assertFalse(view.contains("img_0006"));
        assertTrue(view.contains("img_0005"));
        assertFalse(Files.exists(tmp.resolve("t.tsv.all.lxfs")), "cache dir used, nothing beside the TSV");
    }

    @Test
    void duplicateIdsResolveToTheLastRowLikeTheOriginalDict() throws Exception {
        List<String[]> rows = new ArrayList<>(TsvFixtures.rows(3, 2, 2, 9));
        rows.add(TsvFixtures.fields("img_0001", 2, 2, 1234));
        Path tsv = TsvFixtures.write(tmp.resolve("dup.tsv"), rows);
        FeatureStore st = FeatureStore.open(tsv, null, -1, 0);
        assertEquals(3, st.index("img_0001"));
        assertEquals(1, st.firstRows(3).index("img_0001"), "within a topK view the last visible row wins");
    }

    @Test
    void aChangedTsvInvalidatesItsStore() throws Exception {
        Path tsv = TsvFixtures.write(tmp.resolve("c.tsv"), TsvFixtures.rows(3, 2, 2, 10));
        FeatureStore.open(tsv, null, -1, 0);
        TsvFixtures.write(tsv, TsvFixtures.rows(5, 2, 2, 11));
        Files.setLastModifiedTime(tsv, FileTime.fromMillis(Files.getLastModifiedTime(tsv).toMillis() + 5000));
        FeatureStore st = FeatureStore.open(tsv, null, -1, 0);
        assertTrue(st.converted());
        assertEquals(5, st.size());
        Files.setLastModifiedTime(tsv, FileTime.fromMillis(Files.getLastModifiedTime(tsv).toMillis() + 5000)); // touch only
        assertTrue(FeatureStore.open(tsv, null, -1, 0).converted(), "mtime change alone rebuilds");
    }

    @Test
    void incompleteOrForeignStoresAreRebuiltAndTempFilesNeverLookComplete() throws Exception {
        Path tsv = TsvFixtures.write(tmp.resolve("i.tsv"), TsvFixtures.rows(3, 2, 2, 12));
        FeatureStore st = FeatureStore.open(tsv, null, -1, 0);
        Path p = st.path();
        // simulate a crash mid-write: truncate the store
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) { ch.truncate(Files.size(p) - 10); }
        assertTrue(FeatureStore.open(tsv, null, -1, 0).converted());
        // a header with the completion flag cleared
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            h.putInt(8 + 4 + 4 + 8 + 8 + 4 * 4 + 8 * 6, 0);
            h.clear();
            ch.write(h, 0);
        }
        assertTrue(FeatureStore.open(tsv, null, -1, 0).converted());
        Files.writeString(p, "garbage");
        assertTrue(FeatureStore.open(tsv, null, -1, 0).converted());
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.filter(f -> f.getFileName().toString().contains(".tmp-")).count(), "no temp files left");
        }
    }

    @Test
    void expectedDimMismatchIsAnError() throws Exception {
        Path tsv = TsvFixtures.write(tmp.resolve("x.tsv"), TsvFixtures.rows(2, 2, 3, 13));
        FeatureStore.open(tsv, null, -1, 0);
        var e = assertThrows(DataFormatException.class, () -> FeatureStore.open(tsv, null, -1, 2048));
        assertTrue(e.getMessage().contains("x.tsv") && e.getMessage().contains("expected 2048, found 3"), e.getMessage());
    }

    @Test
    void parallelDecodeWritesTheSameStoreAndReportsTheFirstBadRow() throws Exception {
        List<String[]> rows = TsvFixtures.rows(30, 4, 6, 21);
        Path tsv = TsvFixtures.write(tmp.resolve("p.tsv"), rows);
        String old = System.getProperty("lxmert.tsv.threads");
        try {
            System.setProperty("lxmert.tsv.threads", "1");
            FeatureStore one = FeatureStore.convert(tsv, tmp.resolve("one.lxfs"), -1, 0);
            System.setProperty("lxmert.tsv.threads", "3");
            FeatureStore three = FeatureStore.convert(tsv, tmp.resolve("three.lxfs"), 7, 0);
            assertEquals(7, three.size());
            byte[] a = Files.readAllBytes(FeatureStore.convert(tsv, tmp.resolve("three-all.lxfs"), -1, 0).path());
            byte[] b = Files.readAllBytes(one.path());
            assertArrayEquals(b, a, "same bytes with 1 and 3 decode threads");
            float[] f = TsvFixtures.floats(rows.get(20)[9]);
            f[0] = Float.NaN;
            rows.get(20)[9] = TsvFixtures.b64Floats(f);
            rows.get(25)[7] = "9";
            TsvFixtures.write(tsv, rows);
            var e = assertThrows(DataFormatException.class, () -> FeatureStore.convert(tsv, tmp.resolve("bad.lxfs"), -1, 0));
            assertTrue(e.getMessage().contains("line 21") && e.getMessage().contains("non-finite"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("lxmert.tsv.threads"); else System.setProperty("lxmert.tsv.threads", old);
        }
    }

    @Test
    void recordsSpanningMappingWindowsReadCorrectly() throws Exception {
        List<String[]> rows = TsvFixtures.rows(25, 5, 7, 31);
        Path tsv = TsvFixtures.write(tmp.resolve("seg.tsv"), rows);
        FeatureStore whole = FeatureStore.open(tsv, null, -1, 0);
        for (long seg : new long[]{8, 400, 1000, 4096}) { // windows smaller than / close to one record
            FeatureStore st = FeatureStore.reopenWithSegment(whole, seg);
            for (int i = 0; i < rows.size(); i++) {
                float[] a = new float[35], b = new float[35];
                whole.copyFeatures(i, a, 0);
                st.copyFeatures(i, b, 0);
                assertArrayEquals(TsvFixtures.floats(rows.get(i)[9]), b, "segment " + seg + " row " + i);
                long[] ids = new long[5];
                st.copyObjectIds(i, ids, 0);
                assertArrayEquals(TsvFixtures.longs(rows.get(i)[3]), ids);
                assertEquals(Integer.parseInt(rows.get(i)[1]), st.imgH(i));
            }
        }
    }

    @Test
    void aStoreWrittenFromRowsIsTheConvertedStoreAndOpensWithoutItsTsv() throws Exception {
        List<String[]> rows = TsvFixtures.rows(12, 4, 3, 11);
        rows.add(TsvFixtures.fields("short", 2, 3, 98));
        Path tsv = TsvFixtures.write(tmp.resolve("w_obj36.tsv"), rows);
        FeatureStore a = FeatureStore.open(tsv, tmp.resolve("a"), -1, 0);
        Path written = tmp.resolve("b").resolve("w.lxfs");
        FeatureStore.write(ObjTsvReader.readAll(tsv, 0, 0).iterator(), written, Files.size(tsv),
                Files.getLastModifiedTime(tsv).toMillis());
        // valid for the TSV it records: placed at the TSV's store path it is mapped, not rebuilt
        Path cache = Files.createDirectories(tmp.resolve("c"));
        Files.copy(written, FeatureStore.storePath(tsv, cache, -1));
        assertFalse(FeatureStore.open(tsv, cache, -1, 0).converted());
        Files.delete(tsv);
        FeatureStore b = FeatureStore.openStore(written, -1, 3);
        assertNull(b.tsv());
        assertEquals(a.size(), b.size());
        assertEquals(a.maxBoxes(), b.maxBoxes());
        for (int i = 0; i < a.size(); i++) {
            int n = a.numBoxes(i);
            assertEquals(a.id(i), b.id(i));
            assertEquals(i, b.index(a.id(i)));
            assertEquals(n, b.numBoxes(i));
            assertEquals(a.imgH(i), b.imgH(i));
            assertEquals(a.imgW(i), b.imgW(i));
            float[] fa = new float[n * 3], fb = new float[n * 3];
            a.copyFeatures(i, fa, 0);
            b.copyFeatures(i, fb, 0);
            assertArrayEquals(fa, fb);
            float[] ba = new float[4 * n], bb = new float[4 * n];
            a.copyBoxes(i, ba, 0);
            b.copyBoxes(i, bb, 0);
            assertArrayEquals(ba, bb);
            long[] la = new long[n], lb = new long[n];
            a.copyObjectIds(i, la, 0);
            b.copyObjectIds(i, lb, 0);
            assertArrayEquals(la, lb);
            a.copyAttrIds(i, la, 0);
            b.copyAttrIds(i, lb, 0);
            assertArrayEquals(la, lb);
            float[] ca = new float[n], cb = new float[n];
            a.copyObjectConfs(i, ca, 0);
            b.copyObjectConfs(i, cb, 0);
            assertArrayEquals(ca, cb);
            a.copyAttrConfs(i, ca, 0);
            b.copyAttrConfs(i, cb, 0);
            assertArrayEquals(ca, cb);
        }
        assertEquals(5, FeatureStore.openStore(written, 5, 0).size(), "the first topK rows");
        DataFormatException dim = assertThrows(DataFormatException.class, () -> FeatureStore.openStore(written, -1, 7));
        assertTrue(dim.getMessage().contains(written.toString()), dim.getMessage());
        Path junk = Files.writeString(tmp.resolve("junk.lxfs"), "not a store");
        DataFormatException e = assertThrows(DataFormatException.class, () -> FeatureStore.openStore(junk, -1, 0));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
    }

    @Test
    void aRangeReaderReadsTheLinesStartingInItsBytesWithTheirNumbers() throws Exception {
        Path tsv = TsvFixtures.write(tmp.resolve("r_obj36.tsv"), TsvFixtures.rows(5, 2, 3, 4));
        List<String> lines = Files.readAllLines(tsv);
        long start = lines.get(0).length() + 1 + lines.get(1).length() + 1; // line 3 starts here
        long end = start + lines.get(2).length() + 2; // inside line 4: line 4 starts before end, so it is read
        List<ObjTsvRow> all = ObjTsvReader.readAll(tsv, 0, 0);
        try (ObjTsvReader r = ObjTsvReader.range(tsv, 0, start, end, 3)) {
            ObjTsvRow x = r.next();
            assertEquals(all.get(2).imgId(), x.imgId());
            assertEquals(3, r.lineNumber());
            assertArrayEquals(all.get(2).features(), x.features());
            assertEquals(all.get(3).imgId(), r.next().imgId());
            assertEquals(4, r.lineNumber());
            assertNull(r.next(), "line 5 starts after the range");
        }
    }
}
