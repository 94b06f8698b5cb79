package lxmert.spark;

import lxmert.data.FeatureStore;
import lxmert.data.ObjTsvReader;
import lxmert.data.ObjTsvRow;
import lxmert.data.synth.SynthWorld;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code features}: TSV -> Parquet -> store, every field of every image against the single-JVM reader and store. */
class SparkFeaturesTest {
    @TempDir static Path tmp;
    static Path tsv;
    static List<ObjTsvRow> ref;

    @BeforeAll
    static void setUp() throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(5, 1.0, 24)).write(data);
        tsv = data.resolve("mscoco_imgfeat/train2014_obj36.tsv");
        ref = ObjTsvReader.readAll(tsv, 0, 0);
        assertTrue(ref.size() > 20, "images: " + ref.size());
    }

    static void assertSameRow(ObjTsvRow a, ObjTsvRow b) {
        String w = a.imgId();
        assertEquals(a.imgId(), b.imgId());
        assertEquals(a.imgH(), b.imgH(), w);
        assertEquals(a.imgW(), b.imgW(), w);
        assertEquals(a.numBoxes(), b.numBoxes(), w);
        assertEquals(a.featDim(), b.featDim(), w);
        assertArrayEquals(a.objectsId(), b.objectsId(), w);
        assertArrayEquals(a.objectsConf(), b.objectsConf(), w);
        assertArrayEquals(a.attrsId(), b.attrsId(), w);
        assertArrayEquals(a.attrsConf(), b.attrsConf(), w);
        assertArrayEquals(a.boxes(), b.boxes(), w);
        assertArrayEquals(a.features(), b.features(), w);
    }

    @Test
    void splitsReadEveryRowOnceWithItsLineNumber() throws Exception {
        for (int n : new int[] {1, 3, 7, 1000}) {
            List<TsvSplits.Split> splits = TsvSplits.of(tsv, n);
            assertTrue(splits.size() <= Math.min(n, ref.size()), "splits: " + splits.size());
            assertEquals(0, splits.get(0).start());
            assertEquals(Files.size(tsv), splits.get(splits.size() - 1).end());
            List<Long> newlines = new ArrayList<>();
            for (TsvSplits.Split s : splits) newlines.add(TsvSplits.countLines(s));
            List<TsvSplits.Numbered> rows = new ArrayList<>();
            for (TsvSplits.Split s : TsvSplits.numbered(splits, newlines)) TsvSplits.rows(s, 0).forEachRemaining(rows::add);
            assertEquals(ref.size(), rows.size(), n + " splits");
            for (int i = 0; i < ref.size(); i++) {
                assertEquals(i + 1, rows.get(i).line());
                assertSameRow(ref.get(i), rows.get(i).row());
            }
        }
    }

    @Test
    void tsvToParquetToStoreKeepsEveryFieldOfEveryImage() throws Exception {
        Path out = tmp.resolve("parquet");
        World.Out o = World.run(SparkMain.commandLine(), "features", "--tsv", tsv.toString(), "--out", out.toString(),
                "--master", "local[2]", "--partitions", "3");
        assertEquals(0, o.rc(), o.err());
        Path dataset = out.resolve("train2014_obj36");
        assertTrue(Files.isRegularFile(dataset.resolve(FeaturesCommand.SOURCE)));
        // Parquet, read back with a session of the test's own: every field of every image, in TSV order
        SparkSession s = SparkSession.builder().master("local[1]").getOrCreate();
        try {
            List<Row> rows = s.read().parquet(dataset.toString()).orderBy("tsv_line").collectAsList();
            assertEquals(ref.size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(i + 1, rows.get(i).getLong(rows.get(i).fieldIndex("tsv_line")));
                assertSameRow(ref.get(i), FeaturesCommand.row(rows.get(i)));
            }
        } finally {
            s.stop();
        }
        // Parquet read without Spark (what test --parquet does in each JVM)
        List<ObjTsvRow> direct = ParquetStores.readAll(dataset);
        assertEquals(ref.size(), direct.size());
        for (int i = 0; i < ref.size(); i++) assertSameRow(ref.get(i), direct.get(i));
        // Parquet -> store, against the single-JVM conversion of the TSV
        Path store = tmp.resolve("from-parquet.lxfs");
        o = World.run(SparkMain.commandLine(), "features", "--parquet", dataset.toString(), "--store", store.toString(),
                "--master", "local[2]");
        assertEquals(0, o.rc(), o.err());
        FeatureStore a = FeatureStore.open(tsv, tmp.resolve("cache-a"), -1, 0);
        assertTrue(a.converted());
        Path cacheB = Files.createDirectories(tmp.resolve("cache-b"));
        Files.copy(store, FeatureStore.storePath(tsv, cacheB, -1));
        FeatureStore b = FeatureStore.open(tsv, cacheB, -1, 0);
        assertFalse(b.converted(), "the store from Parquet is valid for the TSV: opened, not rebuilt");
        assertEquals(a.size(), b.size());
        assertEquals(a.featDim(), b.featDim());
        assertEquals(a.maxBoxes(), b.maxBoxes());
        for (int i = 0; i < a.size(); i++) {
            String id = a.id(i);
            assertEquals(id, b.id(i));
            assertEquals(a.index(id), b.index(id));
            assertEquals(a.imgH(i), b.imgH(i), id);
            assertEquals(a.imgW(i), b.imgW(i), id);
            int n = a.numBoxes(i), d = a.featDim();
            assertEquals(n, b.numBoxes(i), id);
            float[] fa = new float[n * d], fb = new float[n * d];
            a.copyFeatures(i, fa, 0);
            b.copyFeatures(i, fb, 0);
            assertArrayEquals(fa, fb, id);
            float[] ba = new float[4 * n], bb = new float[4 * n];
            a.copyBoxes(i, ba, 0);
            b.copyBoxes(i, bb, 0);
            assertArrayEquals(ba, bb, id);
            assertArrayEquals(ref.get(i).normalizedBoxes(), bb, id);
            long[] la = new long[n], lb = new long[n];
            a.copyObjectIds(i, la, 0);
            b.copyObjectIds(i, lb, 0);
            assertArrayEquals(la, lb, id);
            a.copyAttrIds(i, la, 0);
            b.copyAttrIds(i, lb, 0);
            assertArrayEquals(la, lb, id);
            float[] ca = new float[n], cb = new float[n];
            a.copyObjectConfs(i, ca, 0);
            b.copyObjectConfs(i, cb, 0);
            assertArrayEquals(ca, cb, id);
            a.copyAttrConfs(i, ca, 0);
            b.copyAttrConfs(i, cb, 0);
            assertArrayEquals(ca, cb, id);
        }
    }

    @Test
    void aCorruptLineIsOneErrorLineNamingFileAndLine() throws Exception {
        List<String> lines = Files.readAllLines(tsv);
        String[] f = lines.get(4).split("\t");
        f[9] = "not*base64";
        lines.set(4, String.join("\t", f));
        Path bad = tmp.resolve("bad_obj36.tsv");
        Files.write(bad, lines);
        World.Out o = World.run(SparkMain.commandLine(), "features", "--tsv", bad.toString(), "--out", tmp.resolve("bad-out").toString(),
                "--master", "local[2]", "--partitions", "3");
        assertEquals(2, o.rc(), o.err());
        String[] err = o.err().strip().split("\\R");
        String last = err[err.length - 1];
        assertTrue(last.startsWith("lxmert-spark features: error: ") && last.contains(bad.toString()) && last.contains("line 5"), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
        assertFalse(Files.exists(tmp.resolve("bad-out/bad_obj36/_SUCCESS")), "no finished dataset");
    }
}
