package lxmert.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Sequential reader over part of a file or a buffer that knows its absolute file position, used by the pickle
 * VM and the legacy-format reader. Running past the end raises a {@link CheckpointException} naming the file.
 */
abstract class ByteSource {
    final String file;

    ByteSource(String file) { this.file = file; }

    /** Absolute position of the next byte. */
    abstract long position();

    /** Reads one byte (0..255). */
    abstract int read();

    abstract void readFully(byte[] dst);

    CheckpointException truncated(long need) {
        return new CheckpointException(file + ": truncated file: needed " + need + " more byte(s) at offset "
                + position() + " but the data ends there");
    }

    /** Over a buffer whose position 0 is absolute file offset {@code base}. */
    static ByteSource of(ByteBuffer buf, long base, String file) {
        ByteBuffer b = buf.duplicate();
        return new ByteSource(file) {
            long position() { return base + b.position(); }

            int read() {
                if (!b.hasRemaining()) throw truncated(1);
                return b.get() & 0xff;
            }

            void readFully(byte[] dst) {
                if (b.remaining() < dst.length) throw truncated(dst.length - b.remaining());
                b.get(dst);
            }
        };
    }

    /** Over a file channel from {@code start}, buffered. */
    static ByteSource of(FileChannel ch, long start, String file) {
        return new ByteSource(file) {
            final ByteBuffer buf = ByteBuffer.allocate(1 << 16).limit(0);
            long bufStart = start; // file offset of buf[0]

            long position() { return bufStart + buf.position(); }

            private boolean fill() {
                try {
                    long next = bufStart + buf.position();
                    buf.clear();
                    bufStart = next;
                    int n = ch.read(buf, next);
                    buf.flip();
                    return n > 0;
                } catch (IOException e) {
                    throw new CheckpointException(file + ": I/O error reading at offset " + position() + ": " + e, e);
                }
            }

            int read() {
                if (!buf.hasRemaining() && !fill()) throw truncated(1);
                return buf.get() & 0xff;
            }

            void readFully(byte[] dst) {
                int off = 0;
                while (off < dst.length) {
                    if (!buf.hasRemaining() && !fill()) throw truncated(dst.length - off);
                    int k = Math.min(buf.remaining(), dst.length - off);
                    buf.get(dst, off, k);
                    off += k;
                }
            }
        };
    }
}
