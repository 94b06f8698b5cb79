package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Nlvr2ProcessTest {
    @TempDir Path tmp;

    @Test
    void reproducesProcessDatasetPyBytes() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("nlvr/nlvr2/data"));
        Files.writeString(in.resolve("train.json"),
                "{\"identifier\": \"train-10171-0-0\", \"sentence\": \"An image shows one caf\u00e9.\", \"label\": \"False\", \"extra\": 1}\n"
                        + "{\"label\": \"True\", \"sentence\": \"Two dogs.\", \"identifier\": \"train-10171-1-0\"}\n");
        Files.writeString(in.resolve("dev.json"), "{\"identifier\": \"dev-850-0-0\", \"sentence\": \"x\", \"label\": \"True\"}\n");
        Files.writeString(in.resolve("test1.json"), "");
        Path out = tmp.resolve("out");
        var res = Nlvr2Process.run(tmp.resolve("nlvr"), out);
        assertEquals(3, res.size());
        // what python3 process_dataset.py writes (json.dump(new_data, g, sort_keys=True, indent=4))
        String expected = "[\n"
                + "    {\n"
                + "        \"identifier\": \"train-10171-0-0\",\n"
                + "        \"img0\": \"train-10171-0-img0\",\n"
                + "        \"img1\": \"train-10171-0-img1\",\n"
                + "        \"label\": 0,\n"
                + "        \"sent\": \"An image shows one caf\\u00e9.\",\n"
                + "        \"uid\": \"nlvr2_train_0\"\n"
                + "    },\n"
                + "    {\n"
                + "        \"identifier\": \"train-10171-1-0\",\n"
                + "        \"img0\": \"train-10171-1-img0\",\n"
                + "        \"img1\": \"train-10171-1-img1\",\n"
                + "        \"label\": 1,\n"
                + "        \"sent\": \"Two dogs.\",\n"
                + "        \"uid\": \"nlvr2_train_1\"\n"
                + "    }\n"
                + "]";
        assertEquals(expected, Files.readString(out.resolve("train.json")));
        assertTrue(Files.readString(out.resolve("valid.json")).contains("\"uid\": \"nlvr2_valid_0\""));
        assertEquals("[]", Files.readString(out.resolve("test.json")));
        var ex = Nlvr2Dataset.readSplit(out.resolve("train.json"));
        assertEquals("train-10171-1-img1", ex.get(1).img1());
        assertEquals(1, ex.get(1).label());
    }

    @Test
    void errorsNameFileAndLine() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("raw"));
        Files.writeString(in.resolve("train.json"), "{\"identifier\": \"a-1-0-0\", \"label\": \"True\"}\n");
        var e = assertThrows(DataFormatException.class, () -> Nlvr2Process.convert(in.resolve("train.json"), "train"));
        assertTrue(e.getMessage().contains("train.json") && e.getMessage().contains("line 1") && e.getMessage().contains("'sentence'"), e.getMessage());
        Files.writeString(in.resolve("train.json"), "{\"identifier\": \"a-1-0-0\", \"sentence\": \"s\", \"label\": \"True\"}\n{oops\n");
        e = assertThrows(DataFormatException.class, () -> Nlvr2Process.convert(in.resolve("train.json"), "train"));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("malformed JSON"), e.getMessage());
    }
}
