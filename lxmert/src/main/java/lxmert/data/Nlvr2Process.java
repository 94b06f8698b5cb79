package lxmert.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The original's {@code data/nlvr2/process_raw_data_scripts/process_dataset.py}: each official NLVR2 json-lines file
 * ({@code train.json}, {@code dev.json}, {@code test1.json}) becomes {@code train.json}, {@code valid.json},
 * {@code test.json}: a list of {@code {identifier, img0: "<identifier minus last field>-img0", img1: ...-img1,
 * label: 1 if "True" else 0, sent: sentence, uid: "nlvr2_<split>_<line index>"}}, written with
 * {@code json.dump(..., sort_keys=True, indent=4)} bytes (no trailing newline).
 */
public final class Nlvr2Process {
    private Nlvr2Process() {}

    /** Output split -> official file stem, in the original's order. */
    public static final Map<String, String> SPLIT2FNAME = Map.of("train", "train", "valid", "dev", "test", "test1");
    private static final String[] ORDER = {"train", "valid", "test"};

    public record Result(Path input, Path output, int count) {}

    /** Processes all three splits; {@code nlvrDir} holds the official files (or has them under nlvr2/data/). */
    public static List<Result> run(Path nlvrDir, Path outDir) throws IOException {
        Path dir = nlvrDir;
        if (!Files.isRegularFile(dir.resolve("train.json")) && Files.isRegularFile(dir.resolve("nlvr2/data/train.json"))) {
            dir = dir.resolve("nlvr2/data");
        }
        Files.createDirectories(outDir);
        List<Result> out = new ArrayList<>();
        for (String split : ORDER) {
            Path in = dir.resolve(SPLIT2FNAME.get(split) + ".json");
            Path o = outDir.resolve(split + ".json");
            List<Map<String, Object>> data = convert(in, split);
            Files.writeString(o, PyJson.dumps(data, 4, true), StandardCharsets.UTF_8);
            out.add(new Result(in, o, data.size()));
        }
        return out;
    }

    /** Converts one official file into the LXMERT records of {@code split}. */
    public static List<Map<String, Object>> convert(Path in, String split) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<Map<String, Object>> data = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
            String line;
            int i = 0;
            while ((line = r.readLine()) != null) {
                JsonNode d;
                try {
                    d = om.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new DataFormatException(in, "line " + (i + 1), "malformed JSON: " + e.getOriginalMessage(), e);
                }
                if (d == null || !d.isObject()) throw new DataFormatException(in, "line " + (i + 1), "expected a JSON object");
                String identifier = text(in, i, d, "identifier");
                String sentence = text(in, i, d, "sentence");
                JsonNode label = d.get("label");
                if (label == null) throw new DataFormatException(in, "line " + (i + 1), "missing key 'label'");
                String[] parts = identifier.split("-", -1);
                String stem = String.join("-", java.util.Arrays.copyOf(parts, parts.length - 1));
                Map<String, Object> nd = new LinkedHashMap<>();
                nd.put("identifier", identifier);
                nd.put("img0", stem + "-img0");
                nd.put("img1", stem + "-img1");
                nd.put("label", label.isTextual() && "True".equals(label.textValue()) ? 1 : 0);
                nd.put("sent", sentence);
                nd.put("uid", "nlvr2_" + split + "_" + i);
                data.add(nd);
                i++;
            }
        }
        return data;
    }

    private static String text(Path f, int i, JsonNode d, String key) throws DataFormatException {
        JsonNode v = d.get(key);
        if (v == null) throw new DataFormatException(f, "line " + (i + 1), "missing key '" + key + "'");
        if (!v.isTextual()) throw new DataFormatException(f, "line " + (i + 1) + ", key '" + key + "'", "expected a string, found " + v.getNodeType());
        return v.textValue();
    }
}
