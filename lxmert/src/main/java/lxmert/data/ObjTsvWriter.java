package lxmert.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes obj36 TSV rows in the original format (the inverse of {@link ObjTsvReader}): ten tab-separated fields,
 * arrays as base64 of raw little-endian bytes, boxes in pixel coordinates, '\n' line ends. Used by the synthetic world
 * and the feature benchmark's file generator.
 */
public final class ObjTsvWriter implements AutoCloseable {
    private final OutputStream out;

    public ObjTsvWriter(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
    }

    public void write(ObjTsvRow r) throws IOException {
        int n = r.numBoxes();
        if (r.objectsId().length != n || r.objectsConf().length != n || r.attrsId().length != n || r.attrsConf().length != n
                || r.boxes().length != 4 * n || r.features().length != n * r.featDim()) {
            throw new IllegalArgumentException("row " + r.imgId() + ": array lengths do not match num_boxes " + n);
        }
        text(r.imgId()); tab();
        text(Integer.toString(r.imgH())); tab();
        text(Integer.toString(r.imgW())); tab();
        longs(r.objectsId()); tab();
        floats(r.objectsConf()); tab();
        longs(r.attrsId()); tab();
        floats(r.attrsConf()); tab();
        text(Integer.toString(n)); tab();
        floats(r.boxes()); tab();
        floats(r.features());
        out.write('\n');
    }

    private void tab() throws IOException { out.write('\t'); }

    private void text(String s) throws IOException { out.write(s.getBytes(StandardCharsets.UTF_8)); }

    private void longs(long[] a) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(a);
        out.write(Base64Codec.encode(b.array(), 0, b.capacity()));
    }

    private void floats(float[] a) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a);
        out.write(Base64Codec.encode(b.array(), 0, b.capacity()));
    }

    @Override
    public void close() throws IOException { out.close(); }
}
