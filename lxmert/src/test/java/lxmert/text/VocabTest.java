package lxmert.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading vocab.txt as the original load_vocab, with errors for duplicates and empty files. */
class VocabTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    @Test
    void idsAreLineIndicesAcrossLineEndings() throws IOException {
        Path p = write("v.txt", "[PAD]\r\n[UNK]\n[CLS]\r[SEP]\n[MASK]\n caf\u00E9 \nlast");
        Vocab v = Vocab.load(p);
        assertEquals(7, v.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "caf\u00E9", "last"), v.tokens());
        assertEquals(5, v.id("caf\u00E9"), "line is stripped like Python str.strip()");
        assertEquals("last", v.token(6));
        assertEquals(0, v.padId());
        assertEquals(1, v.unkId());
        assertEquals(2, v.clsId());
        assertEquals(3, v.sepId());
        assertEquals(4, v.maskId());
        assertEquals(-1, v.find("nope"));
        assertTrue(v.contains("last"));
        assertFalse(v.contains(" last"));
    }

    @Test
    void duplicateTokenNamesFileAndBothLines() throws IOException {
        Path p = write("dup.txt", "[PAD]\nfoo\nbar\nfoo \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocab.load(p));
        String m = e.getMessage();
        assertTrue(m.contains(p.toString()) && m.contains("line 4") && m.contains("line 2") && m.contains("'foo'"), m);
    }

    @Test
    void emptyFileIsAnError() throws IOException {
        Path p = write("empty.txt", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocab.load(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void missingFileAndInvalidUtf8NameTheFile() throws IOException {
        Path missing = dir.resolve("missing.txt");
        IOException e = assertThrows(IOException.class, () -> Vocab.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', '\n', (byte) 0xC3, '\n'});
        IOException e2 = assertThrows(IOException.class, () -> Vocab.load(bad));
        assertTrue(e2.getMessage().contains(bad.toString()) && e2.getMessage().contains("UTF-8"), e2.getMessage());
    }

    @Test
    void unknownTokenAndBadIdFailWithContext() {
        Vocab v = Vocab.fromLines("mem", List.of("[PAD]", "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.id("y"));
        assertTrue(e.getMessage().contains("'y'") && e.getMessage().contains("mem"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, v::maskId);
        assertTrue(e2.getMessage().contains("[MASK]"), e2.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> v.token(2));
        assertThrows(IndexOutOfBoundsException.class, () -> v.token(-1));
    }
}
