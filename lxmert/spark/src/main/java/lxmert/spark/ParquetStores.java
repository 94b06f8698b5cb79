package lxmert.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.data.FeatureStore;
import lxmert.data.ObjTsvRow;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Features from Parquet for {@code test --parquet DIR}: every dataset of {@code DIR} (as {@code features --tsv ... --out
 * DIR} writes them) becomes a feature store in a folder local to the JVM, once per JVM (driver and each executor),
 * read with the Parquet library directly (no Spark job inside a task); {@code lxmert.data.DataOptions#withStores}
 * then serves the split's images from those stores in place of the TSVs of the same names.
 */
public final class ParquetStores {
    private static final Map<String, Map<String, Path>> BUILT = new HashMap<>();

    private ParquetStores() {}

    /** TSV file name -> local store, for every dataset in {@code dir}; built on first use in this JVM. */
    public static synchronized Map<String, Path> of(Path dir) throws IOException {
        String key = dir.toAbsolutePath().normalize().toString();
        Map<String, Path> done = BUILT.get(key);
        if (done != null) return done;
        lxmert.util.Check.directory("--parquet", dir, "folder of Parquet feature datasets");
        List<Path> datasets;
        try (Stream<Path> s = Files.list(dir)) {
            datasets = s.filter(d -> Files.isRegularFile(d.resolve(FeaturesCommand.SOURCE))).sorted().toList();
        }
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no Parquet feature dataset (folders with " + FeaturesCommand.SOURCE
                    + ", as features --tsv ... --out writes them)");
        }
        Path local = Files.createTempDirectory("lxmert-spark-stores-");
        Map<String, Path> out = new LinkedHashMap<>();
        for (Path d : datasets) {
            JsonNode src = new ObjectMapper().readTree(d.resolve(FeaturesCommand.SOURCE).toFile());
            String tsvName = d.getFileName() + ".tsv";
            Path store = local.resolve(tsvName + ".all.lxfs");
            FeatureStore.write(rows(d), store, src.path("size").asLong(), src.path("mtime").asLong());
            store.toFile().deleteOnExit();
            out.put(tsvName, store);
        }
        local.toFile().deleteOnExit();
        BUILT.put(key, Map.copyOf(out));
        return BUILT.get(key);
    }

    /** The rows of one dataset in TSV order (its part files in name order, each in line order; checked). */
    static Iterator<ObjTsvRow> rows(Path dataset) throws IOException {
        List<Path> parts;
        try (Stream<Path> s = Files.list(dataset)) {
            parts = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted(Comparator.comparing(Path::toString)).toList();
        }
        if (parts.isEmpty()) throw new IllegalArgumentException(dataset + ": no .parquet files");
        Configuration conf = new Configuration();
        return new Iterator<>() {
            int part = -1;
            ParquetReader<Group> reader;
            Group next;
            long lastLine;

            private Group advance() {
                try {
                    while (true) {
                        if (reader != null) {
                            Group g = reader.read();
                            if (g != null) return g;
                            reader.close();
                            reader = null;
                        }
                        if (++part >= parts.size()) return null;
                        reader = ParquetReader.builder(new GroupReadSupport(),
                                new org.apache.hadoop.fs.Path(parts.get(part).toUri())).withConf(conf).build();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(parts.get(Math.max(0, part)) + ": " + e.getMessage(), e);
                }
            }

            @Override
            public boolean hasNext() {
                if (next == null) next = advance();
                return next != null;
            }

            @Override
            public ObjTsvRow next() {
                if (!hasNext()) throw new NoSuchElementException();
                Group g = next;
                next = null;
                long line = g.getLong("tsv_line", 0);
                if (line <= lastLine) {
                    throw new IllegalArgumentException(parts.get(part) + ": rows out of TSV order (line " + line + " after " + lastLine + ")");
                }
                lastLine = line;
                return row(g, parts.get(part));
            }
        };
    }

    static ObjTsvRow row(Group g, Path file) {
        int n = g.getInteger("num_boxes", 0);
        float[] feats = floats(g, "features");
        String id = g.getString("img_id", 0);
        if (n <= 0 || feats.length % n != 0) {
            throw new IllegalArgumentException(file + ": img_id " + id + ": " + feats.length + " feature values for " + n + " boxes");
        }
        return new ObjTsvRow(id, g.getInteger("img_h", 0), g.getInteger("img_w", 0), n, feats.length / n,
                longs(g, "objects_id"), floats(g, "objects_conf"), longs(g, "attrs_id"), floats(g, "attrs_conf"),
                floats(g, "boxes"), feats);
    }

    /** A Spark-written array column: {@code group (LIST) { repeated group list { element } }}. */
    private static float[] floats(Group g, String field) {
        Group l = g.getGroup(field, 0);
        int n = l.getFieldRepetitionCount("list");
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = l.getGroup("list", i).getFloat("element", 0);
        return a;
    }

    private static long[] longs(Group g, String field) {
        Group l = g.getGroup(field, 0);
        int n = l.getFieldRepetitionCount("list");
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = l.getGroup("list", i).getLong("element", 0);
        return a;
    }

    /** For tests: every row of {@code dataset}. */
    static List<ObjTsvRow> readAll(Path dataset) throws IOException {
        List<ObjTsvRow> out = new ArrayList<>();
        rows(dataset).forEachRemaining(out::add);
        return out;
    }
}
