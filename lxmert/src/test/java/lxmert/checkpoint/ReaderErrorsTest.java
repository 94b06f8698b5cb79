package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReaderErrorsTest {
    @TempDir Path tmp;

    private CheckpointException fails(Path f) {
        return assertThrows(CheckpointException.class, () -> TorchReader.read(f));
    }

    private static void assertMentions(CheckpointException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }

    private Path truncatedCopy(Path src, long keep, String name) throws Exception {
        byte[] all = Files.readAllBytes(src);
        Path f = tmp.resolve(name);
        Files.write(f, Arrays.copyOf(all, (int) keep));
        return f;
    }

    @Test
    void truncatedLegacyInStorageData() throws Exception {
        Path src = Fixtures.small().resolve("model_LXRT.pth");
        Path f = truncatedCopy(src, Files.size(src) - 100, "cut_data.pth");
        assertMentions(fails(f), f.toString(), "truncated");
    }

    @Test
    void truncatedLegacyInsidePickle() throws Exception {
        Path f = truncatedCopy(Fixtures.small().resolve("model_LXRT.pth"), 5000, "cut_pickle.pth");
        assertMentions(fails(f), f.toString(), "truncated");
    }

    @Test
    void truncatedZip() throws Exception {
        Path src = Fixtures.small().resolve("model_zip_LXRT.pth");
        Path f = truncatedCopy(src, Files.size(src) / 2, "cut.pth");
        assertMentions(fails(f), f.toString(), "truncated");
    }

    @Test
    void wrongMagic() throws Exception {
        Path f = tmp.resolve("text.pth");
        Files.writeString(f, "this is not a checkpoint");
        assertMentions(fails(f), f.toString(), "wrong magic");
        // a pickle whose first value is not the torch magic number
        Path g = tmp.resolve("pickle.pth");
        Files.write(g, new byte[] {(byte) 0x80, 2, 'K', 7, '.'});
        assertMentions(fails(g), g.toString(), "wrong magic");
        Path empty = tmp.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertMentions(fails(empty), empty.toString(), "truncated");
    }

    /** The legacy header pickles of the fixture followed by {@code body} as the object pickle. */
    private Path legacyWithBody(String name, byte[] body) throws Exception {
        byte[] fixture = Files.readAllBytes(Fixtures.small().resolve("model_LXRT.pth"));
        int header = 137; // magic, protocol and sys_info pickles (offsets verified below)
        assertEquals((byte) 0x80, fixture[header]);
        assertEquals('.', fixture[header - 1]);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(fixture, 0, header);
        o.write(body);
        Path f = tmp.resolve(name);
        Files.write(f, o.toByteArray());
        return f;
    }

    @Test
    void unknownGlobal() throws Exception {
        Path f = legacyWithBody("global.pth", "\u0080\u0002cos\nsystem\nq\u0000)R.".getBytes(StandardCharsets.ISO_8859_1));
        assertMentions(fails(f), f.toString(), "os.system");
    }

    @Test
    void unknownOpcode() throws Exception {
        Path f = legacyWithBody("opcode.pth", new byte[] {(byte) 0x80, 2, (byte) 0xfe, '.'});
        assertMentions(fails(f), f.toString(), "opcode 0xfe");
    }

    @Test
    void storageDataMissing() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.ofFloats("a", new long[] {2}, new float[] {1, 2}));
        m.put("b.weight", Tensor.ofFloats("b.weight", new long[] {2}, new float[] {3, 4}));
        Path f = tmp.resolve("missing.pth");
        TorchWriter.writeZip(f, m);
        // rename entry archive/data/1 to archive/data/X (same length) in local header and central directory
        byte[] all = Files.readAllBytes(f);
        byte[] from = "archive/data/1".getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + from.length <= all.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(all, i, i + from.length), from)) {
                all[i + from.length - 1] = 'X';
                replaced++;
            }
        }
        assertEquals(2, replaced);
        Files.write(f, all);
        assertMentions(fails(f), f.toString(), "storage data missing", "b.weight");
    }

    @Test
    void legacyStorageCountMismatch() throws Exception {
        // corrupt the int64 element count that precedes the first storage's bytes
        Path src = Fixtures.small().resolve("vqa_logit_fc.pth");
        byte[] all = Files.readAllBytes(src);
        StateDict ok = TorchReader.read(src);
        long total = 0;
        for (Tensor t : ok.values()) total += 8 + t.nbytes();
        int dataStart = (int) (all.length - total); // storages are the tail of a legacy file (no tied weights here)
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(dataStart);
        assertTrue(ok.values().stream().anyMatch(t -> t.numel() == n), "first storage count " + n);
        b.putLong(dataStart, n + 1);
        Path f = tmp.resolve("count.pth");
        Files.write(f, all);
        assertMentions(fails(f), f.toString(), "elements");
        // and the untouched file still reads to the same shapes
        assertArrayEquals(ok.get("logit_fc.0.weight").shape(), TorchReader.read(src).get("logit_fc.0.weight").shape());
    }

    @Test
    void noSuchFile() {
        Path f = tmp.resolve("nope.pth");
        assertMentions(fails(f), f.toString(), "no such file");
    }
}
