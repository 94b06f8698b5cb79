package lxmert.spark;

import lxmert.data.ObjTsvReader;
import lxmert.data.ObjTsvRow;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A feature TSV cut into byte ranges that start at line starts, converted in parallel: the plain functions of the
 * {@code features} job (unit-tested without Spark). Lines are numbered across splits by counting the newlines of the
 * splits before (a first, cheap pass), so an error names the file's real line.
 */
public final class TsvSplits {
    private TsvSplits() {}

    /** Bytes {@code [start, end)} of {@code tsv}; {@code firstLine}: the 1-based number of its first line (0: not counted yet). */
    public record Split(String tsv, long start, long end, long firstLine) implements Serializable {
        Split withFirstLine(long l) {
            return new Split(tsv, start, end, l);
        }
    }

    /** At most {@code n} non-empty splits of {@code tsv}, each starting at a line start. */
    public static List<Split> of(Path tsv, int n) throws IOException {
        long size = Files.size(tsv);
        List<Long> starts = new ArrayList<>();
        starts.add(0L);
        try (FileChannel ch = FileChannel.open(tsv, StandardOpenOption.READ)) {
            for (int i = 1; i < n; i++) {
                long s = lineStartAtOrAfter(ch, size * i / n, size);
                if (s > starts.get(starts.size() - 1) && s < size) starts.add(s);
            }
        }
        List<Split> out = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            out.add(new Split(tsv.toString(), starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : size, 0));
        }
        return out;
    }

    /** The first line start at or after {@code pos} (the byte after a newline, or 0), or {@code size}. */
    static long lineStartAtOrAfter(FileChannel ch, long pos, long size) throws IOException {
        if (pos <= 0) return 0;
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long p = pos - 1; // the line starts at pos if the byte before is a newline
        while (p < size) {
            b.clear();
            int r = ch.read(b, p);
            if (r <= 0) break;
            for (int i = 0; i < r; i++) if (b.get(i) == '\n') return p + i + 1;
            p += r;
        }
        return size;
    }

    /** The newlines in the split's bytes. */
    public static long countLines(Split s) {
        long n = 0;
        try (FileChannel ch = FileChannel.open(Path.of(s.tsv()), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            long p = s.start();
            while (p < s.end()) {
                b.clear();
                b.limit((int) Math.min(b.capacity(), s.end() - p));
                int r = ch.read(b, p);
                if (r <= 0) break;
                for (int i = 0; i < r; i++) if (b.get(i) == '\n') n++;
                p += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /** The splits numbered: each one's first line is one past the newlines before it. */
    public static List<Split> numbered(List<Split> splits, List<Long> newlines) {
        List<Split> out = new ArrayList<>();
        long line = 1;
        for (int i = 0; i < splits.size(); i++) {
            out.add(splits.get(i).withFirstLine(line));
            line += newlines.get(i);
        }
        return out;
    }

    /** A row with the number of its line in the TSV. */
    public record Numbered(long line, ObjTsvRow row) {}

    /** The rows of one split, decoded and checked as the single-JVM reader does; the file is closed at the end. */
    public static Iterator<Numbered> rows(Split s, int expectedDim) throws IOException {
        ObjTsvReader r = ObjTsvReader.range(Path.of(s.tsv()), expectedDim, s.start(), s.end(), s.firstLine());
        return new Iterator<Numbered>() {
            Numbered next = advance();

            private Numbered advance() {
                try {
                    ObjTsvRow row = r.next();
                    if (row == null) {
                        r.close();
                        return null;
                    }
                    return new Numbered(r.lineNumber(), row);
                } catch (IOException e) {
                    try {
                        r.close();
                    } catch (IOException ignored) {
                        // the read error is the one to report
                    }
                    throw new UncheckedIOException(e);
                }
            }

            @Override public boolean hasNext() { return next != null; }

            @Override
            public Numbered next() {
                if (next == null) throw new NoSuchElementException();
                Numbered n = next;
                next = advance();
                return n;
            }
        };
    }
}
