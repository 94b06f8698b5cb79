package lxmert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.text.Vocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code tokenize} sub-command: JSON lines in, convert_sents_to_features JSON objects out. */
class TokenizeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VOCAB_LINES = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "what", "is", "it", "?", "caf\u00E9", "cafe");

    @TempDir
    Path dir;

    private static SentenceEncoder encoder(int len) {
        return new SentenceEncoder(new BertTokenizer(Vocab.fromLines("cli-test-vocab", VOCAB_LINES)), len);
    }

    @Test
    void writesOneObjectPerLine() throws Exception {
        StringWriter out = new StringWriter();
        TokenizeCommand.process(new StringReader("\"What is it?\"\n\"Caf\\u00e9 zzz\"\n\"\"\n"), out, encoder(6));
        String[] lines = out.toString().split("\n", -1);
        assertEquals(4, lines.length, "three lines plus the final newline: " + out);
        assertEquals("{\"tokens\":[\"[CLS]\",\"what\",\"is\",\"it\",\"?\",\"[SEP]\"],\"input_ids\":[2,5,6,7,8,3],"
                + "\"input_mask\":[1,1,1,1,1,1],\"segment_ids\":[0,0,0,0,0,0]}", lines[0]);
        assertEquals("{\"tokens\":[\"[CLS]\",\"cafe\",\"[UNK]\",\"[SEP]\"],\"input_ids\":[2,10,1,3,0,0],"
                + "\"input_mask\":[1,1,1,1,0,0],\"segment_ids\":[0,0,0,0,0,0]}", lines[1]);
        assertEquals("{\"tokens\":[\"[CLS]\",\"[SEP]\"],\"input_ids\":[2,3,0,0,0,0],"
                + "\"input_mask\":[1,1,0,0,0,0],\"segment_ids\":[0,0,0,0,0,0]}", lines[2]);
        assertEquals("", lines[3]);
    }

    @Test
    void badLinesAreReportedWithTheirNumber() {
        for (String[] c : new String[][] {
                {"\"ok\"\n\"also\"\nnot json\n", "line 3"},
                {"\"ok\"\n\n", "line 2"},
                {"42\n", "line 1"},
                {"\"a\" \"b\"\n", "line 1"},
                {"[\"a\"]\n", "line 1"}}) {
            TokenizeCommand.InputLineException e = assertThrows(TokenizeCommand.InputLineException.class,
                    () -> TokenizeCommand.process(new StringReader(c[0]), new StringWriter(), encoder(6)));
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("JSON string"),
                    "input " + JSON.valueToTree(c[0]) + ": " + e.getMessage());
        }
    }

    @Test
    void runsThroughTheMainCommandLine() throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, VOCAB_LINES, StandardCharsets.UTF_8);
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int ok;
        int bad;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream("\"it is\"\n".getBytes(StandardCharsets.UTF_8)));
            ok = Main.commandLine().execute("tokenize", "--vocab", vocab.toString(), "--max-seq-length", "5");
            System.setIn(new ByteArrayInputStream("\"it\"\n{}\n".getBytes(StandardCharsets.UTF_8)));
            bad = Main.commandLine().execute("tokenize", "--vocab", vocab.toString());
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertEquals(0, ok, "stderr: " + err);
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("{\"tokens\":[\"[CLS]\",\"it\",\"is\",\"[SEP]\"],\"input_ids\":[2,7,6,3,0],"
                + "\"input_mask\":[1,1,1,1,0],\"segment_ids\":[0,0,0,0,0]}", lines[0]);
        assertEquals(2, bad, "a bad input line is bad input: exit status 2");
        assertEquals(20, JSON.readTree(lines[1]).get("input_ids").size(), "default --max-seq-length is 20");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("stdin line 2"), err.toString(StandardCharsets.UTF_8));
    }

    /** All cases of the toy tokenizer fixture through the command's line processing. */
    @Test
    void toyFixtureThroughTheCommand() throws Exception {
        Optional<Path> shared = findShared();
        assumeTrue(shared.isPresent(), "shared/ reference directory not found; skipping");
        Path fx = shared.get().resolve("fixtures/lxrt-small/tokenizer_fixture.json");
        assumeTrue(Files.isRegularFile(fx), fx + " absent; skipping");
        JsonNode root = JSON.readTree(fx.toFile());
        int len = root.get("max_seq_length").asInt();
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(
                fx.resolveSibling(root.get("vocab_file").asText())), len);
        StringBuilder in = new StringBuilder();
        root.get("cases").forEach(c -> in.append(c.get("sent").toString()).append('\n'));
        StringWriter out = new StringWriter();
        TokenizeCommand.process(new StringReader(in.toString()), out, enc);
        String[] lines = out.toString().split("\n");
        assertEquals(root.get("cases").size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            JsonNode c = root.get("cases").get(i);
            JsonNode got = JSON.readTree(lines[i]);
            List<String> pieces = new ArrayList<>();
            c.get("wordpieces").forEach(n -> pieces.add(n.asText()));
            List<String> tokens = new ArrayList<>(List.of("[CLS]"));
            tokens.addAll(pieces.subList(0, Math.min(pieces.size(), len - 2)));
            tokens.add("[SEP]");
            assertEquals(JSON.valueToTree(tokens), got.get("tokens"), fx + " case " + i + ": tokens");
            for (String k : List.of("input_ids", "input_mask", "segment_ids")) {
                assertEquals(c.get(k), got.get(k), fx + " case " + i + ": " + k);
            }
        }
    }

    private static Optional<Path> findShared() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared").resolve("fixtures"))) return Optional.of(d.resolve("shared"));
        }
        return Optional.empty();
    }
}
