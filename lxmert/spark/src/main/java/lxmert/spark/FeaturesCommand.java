package lxmert.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.data.FeatureStore;
import lxmert.data.ObjTsvRow;
import lxmert.util.Check;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code lxmert-spark features --tsv FILE... --out DIR}: obj36 feature TSVs to Parquet, split by lines and decoded in
 * parallel (one dataset {@code DIR/<name>} per TSV, {@code <name>} the file name without {@code .tsv}; columns
 * {@link #SCHEMA}, boxes in pixels as the TSV holds them, arrays flattened row-major; {@code tsv_line} keeps the TSV's
 * order; {@code _lxmert_source.json} beside the parts records the TSV's path, size and mtime).
 * {@code lxmert-spark features --parquet DIR --store FILE}: one such dataset to the project's memory-mapped feature
 * store, in TSV order, recording the TSV's size and mtime (so the store placed beside that TSV, or at its
 * {@code FeatureStore.storePath} in a cache folder, opens as valid without conversion).
 */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Convert obj36 feature TSVs to Parquet (--tsv ... --out DIR), or Parquet to the feature store (--parquet DIR --store FILE).")
public final class FeaturesCommand implements Callable<Integer> {
    static final String SOURCE = "_lxmert_source.json";
    static final StructType SCHEMA = new StructType()
            .add("tsv_line", DataTypes.LongType, false)
            .add("img_id", DataTypes.StringType, false)
            .add("img_h", DataTypes.IntegerType, false)
            .add("img_w", DataTypes.IntegerType, false)
            .add("num_boxes", DataTypes.IntegerType, false)
            .add("boxes", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("objects_id", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("objects_conf", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("attrs_id", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("attrs_conf", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    static final class ToParquet {
        @Option(names = "--tsv", required = true, arity = "1..*", description = "obj36 feature TSV(s)") List<Path> tsv;
        @Option(names = "--out", required = true, description = "output folder: one Parquet dataset per TSV") Path out;
    }

    static final class ToStore {
        @Option(names = "--parquet", required = true, description = "a Parquet dataset written by features --tsv") Path parquet;
        @Option(names = "--store", required = true, description = "the feature store file to write") Path store;
    }

    static final class Mode {
        @ArgGroup(exclusive = false, multiplicity = "1") ToParquet toParquet;
        @ArgGroup(exclusive = false, multiplicity = "1") ToStore toStore;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Mode mode;
    @Option(names = "--dim", defaultValue = "0", description = "expected feature dim (0: from the data)") int dim;
    @Mixin SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        if (mode.toParquet != null) {
            for (Path t : mode.toParquet.tsv) Check.file("--tsv", t);
            Files.createDirectories(mode.toParquet.out);
            for (Path t : mode.toParquet.tsv) {
                Path dest = mode.toParquet.out.resolve(name(t));
                if (Files.exists(dest)) throw new IllegalArgumentException(dest + ": exists (remove it or choose another --out)");
            }
            SparkSession s = Sessions.start("lxmert-spark features", spark);
            try {
                for (Path t : mode.toParquet.tsv) {
                    long rows = toParquet(s, t, mode.toParquet.out.resolve(name(t)), dim, spark.partitions);
                    System.err.println("wrote " + mode.toParquet.out.resolve(name(t)) + " (" + rows + " images from " + t + ")");
                }
            } finally {
                s.stop();
            }
        } else {
            Check.directory("--parquet", mode.toStore.parquet, "Parquet dataset");
            SparkSession s = Sessions.start("lxmert-spark features", spark);
            try {
                int n = toStore(s, mode.toStore.parquet, mode.toStore.store);
                System.err.println("wrote " + mode.toStore.store + " (" + n + " images from " + mode.toStore.parquet + ")");
            } finally {
                s.stop();
            }
        }
        return 0;
    }

    /** The dataset name of a TSV: its file name without {@code .tsv}. */
    static String name(Path tsv) {
        String n = tsv.getFileName().toString();
        return n.endsWith(".tsv") ? n.substring(0, n.length() - 4) : n;
    }

    /** Converts {@code tsv} to a Parquet dataset at {@code dest}; returns the number of images. */
    static long toParquet(SparkSession s, Path tsv, Path dest, int dim, Integer partitions) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
        Progress.attach(jsc, "features " + tsv.getFileName());
        Path abs = tsv.toAbsolutePath().normalize();
        long size = Files.size(abs), mtime = Files.getLastModifiedTime(abs).toMillis();
        int n = partitions != null ? partitions : Math.max(jsc.defaultParallelism(), (int) Math.min(100_000, size / (64L << 20) + 1));
        List<TsvSplits.Split> splits = TsvSplits.of(abs, n);
        List<Long> newlines = jsc.parallelize(splits, splits.size()).map(TsvSplits::countLines).collect();
        List<TsvSplits.Split> numbered = TsvSplits.numbered(splits, newlines);
        JavaRDD<Row> rows = jsc.parallelize(numbered, numbered.size()).mapPartitions(it -> {
            List<Iterator<TsvSplits.Numbered>> parts = new ArrayList<>();
            while (it.hasNext()) parts.add(TsvSplits.rows(it.next(), dim));
            return flatMap(parts);
        });
        Dataset<Row> df = s.createDataFrame(rows, SCHEMA);
        df.write().mode(SaveMode.ErrorIfExists).parquet(dest.toString());
        long count = s.read().parquet(dest.toString()).count();
        ObjectNode src = new ObjectMapper().createObjectNode();
        src.put("tsv", abs.toString()).put("size", size).put("mtime", mtime).put("images", count);
        Files.writeString(dest.resolve(SOURCE), src.toPrettyString() + "\n");
        return count;
    }

    private static Iterator<Row> flatMap(List<Iterator<TsvSplits.Numbered>> parts) {
        Iterator<Iterator<TsvSplits.Numbered>> outer = parts.iterator();
        return new Iterator<>() {
            Iterator<TsvSplits.Numbered> cur = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!cur.hasNext() && outer.hasNext()) cur = outer.next();
                return cur.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return row(cur.next());
            }
        };
    }

    /** One image as a Parquet row of {@link #SCHEMA}. */
    static Row row(TsvSplits.Numbered n) {
        ObjTsvRow r = n.row();
        return RowFactory.create(n.line(), r.imgId(), r.imgH(), r.imgW(), r.numBoxes(), r.boxes(), r.features(),
                r.objectsId(), r.objectsConf(), r.attrsId(), r.attrsConf());
    }

    /** A Parquet row back as the TSV row it was made from. */
    static ObjTsvRow row(Row x) {
        int n = x.getInt(x.fieldIndex("num_boxes"));
        float[] feats = floats(x.getList(x.fieldIndex("features")));
        if (n <= 0 || feats.length % n != 0) {
            throw new IllegalArgumentException("img_id " + x.getString(x.fieldIndex("img_id")) + ": " + feats.length
                    + " feature values for " + n + " boxes");
        }
        return new ObjTsvRow(x.getString(x.fieldIndex("img_id")), x.getInt(x.fieldIndex("img_h")), x.getInt(x.fieldIndex("img_w")),
                n, feats.length / n, longs(x.getList(x.fieldIndex("objects_id"))), floats(x.getList(x.fieldIndex("objects_conf"))),
                longs(x.getList(x.fieldIndex("attrs_id"))), floats(x.getList(x.fieldIndex("attrs_conf"))),
                floats(x.getList(x.fieldIndex("boxes"))), feats);
    }

    private static float[] floats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    private static long[] longs(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    /** Writes the store of Parquet dataset {@code dir} (rows in {@code tsv_line} order) at {@code store}. */
    static int toStore(SparkSession s, Path dir, Path store) throws IOException {
        Path srcFile = dir.resolve(SOURCE);
        long size = 0, mtime = 0;
        if (Files.isRegularFile(srcFile)) {
            JsonNode src = new ObjectMapper().readTree(srcFile.toFile());
            size = src.path("size").asLong();
            mtime = src.path("mtime").asLong();
        } else {
            SparkMain.warn("features").accept(srcFile + " is missing: the store records no TSV and opens only by path");
        }
        Progress.attach(JavaSparkContext.fromSparkContext(s.sparkContext()), "features " + dir.getFileName());
        Dataset<Row> df = s.read().parquet(dir.toString()).orderBy("tsv_line");
        Iterator<Row> it = df.toLocalIterator();
        int[] n = {0};
        FeatureStore.write(new Iterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public ObjTsvRow next() { n[0]++; return row(it.next()); }
        }, store, size, mtime);
        return n[0];
    }
}
