package lxmert.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import lxmert.data.DataFormatException;
import lxmert.data.Json;
import lxmert.data.PyJson;

/**
 * Submission / prediction files, byte-compatible with the original writers: VQA {@code [{"answer", "question_id"}]}
 * and GQA {@code [{"prediction", "questionId"}]} are written as {@code json.dump(result, f, indent=4, sort_keys=True)}
 * ({@code vqa_data.py:166-186}, {@code gqa_data.py:171-192}; no trailing newline), NLVR2 as CSV lines
 * {@code identifier,True|False} ({@code nlvr2_data.py:142-156}). Readers accept exactly these formats and name the
 * file and index of malformed entries.
 */
public final class PredictionFiles {
    private PredictionFiles() {}

    /** VQA: question id (decimal integer text) -> answer, in map order. */
    public static void writeVqa(Path file, Map<String, String> quesid2ans) throws IOException {
        List<Map<String, Object>> result = new ArrayList<>();
        for (var e : quesid2ans.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("question_id", new BigInteger(e.getKey()));
            m.put("answer", e.getValue());
            result.add(m);
        }
        write(file, PyJson.dumps(result, 4, true));
    }

    /** GQA: question id (string) -> prediction, in map order. */
    public static void writeGqa(Path file, Map<String, String> quesid2ans) throws IOException {
        List<Map<String, Object>> result = new ArrayList<>();
        for (var e : quesid2ans.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("questionId", e.getKey());
            m.put("prediction", e.getValue());
            result.add(m);
        }
        write(file, PyJson.dumps(result, 4, true));
    }

    /** NLVR2: identifier -> prediction (true = "True"), one {@code identifier,True|False} line each. */
    public static void writeNlvr2(Path file, Map<String, Boolean> identifier2ans) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var e : identifier2ans.entrySet()) sb.append(e.getKey()).append(',').append(e.getValue() ? "True" : "False").append('\n');
        write(file, sb.toString());
    }

    private static void write(Path file, String s) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    public static Map<String, String> readVqa(Path file) throws IOException {
        return readJson(file, "question_id", "answer", true);
    }

    public static Map<String, String> readGqa(Path file) throws IOException {
        return readJson(file, "questionId", "prediction", false);
    }

    private static Map<String, String> readJson(Path file, String idKey, String ansKey, boolean intId) throws IOException {
        JsonNode root = Json.array(file, Json.read(file), "top level");
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < root.size(); i++) {
            String where = "index " + i;
            JsonNode d = Json.object(file, root.get(i), where);
            JsonNode id = Json.get(file, d, idKey, where);
            if (intId ? !id.isIntegralNumber() : !(id.isTextual() || id.isIntegralNumber())) {
                throw new DataFormatException(file, where + ", key '" + idKey + "'", "expected " + (intId ? "an integer" : "a string") + ", found " + id);
            }
            String ans = Json.text(file, d, ansKey, where);
            if (out.put(id.asText(), ans) != null) {
                throw new DataFormatException(file, where, "duplicate " + idKey + " " + id.asText());
            }
        }
        return out;
    }

    /** NLVR2 CSV: identifier -> prediction. */
    public static Map<String, Boolean> readNlvr2(Path file) throws IOException {
        Map<String, Boolean> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                int c = line.lastIndexOf(',');
                String v = c < 0 ? "" : line.substring(c + 1).strip();
                if (c <= 0 || !(v.equals("True") || v.equals("False"))) {
                    throw new DataFormatException(file, "line " + n, "expected 'identifier,True' or 'identifier,False', found '" + line + "'");
                }
                if (out.put(line.substring(0, c), v.equals("True")) != null) {
                    throw new DataFormatException(file, "line " + n, "duplicate identifier " + line.substring(0, c));
                }
            }
        }
        return out;
    }
}
