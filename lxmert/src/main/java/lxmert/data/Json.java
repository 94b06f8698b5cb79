package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Small helpers to read JSON files with errors that name the file and the key or index. */
public final class Json {
    private static final ObjectMapper OM = new ObjectMapper();

    private Json() {}

    public static ObjectMapper mapper() { return OM; }

    /** Parses {@code file}; malformed JSON raises a {@link DataFormatException} with line and column. */
    public static JsonNode read(Path file) throws IOException {
        lxmert.util.Check.file(null, file);
        try {
            JsonNode n = OM.readTree(file.toFile());
            if (n == null || n.isMissingNode()) throw new DataFormatException(file, "", "empty file, expected JSON");
            return n;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new DataFormatException(file, where, "malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static JsonNode array(Path file, JsonNode n, String where) throws DataFormatException {
        if (!n.isArray()) throw new DataFormatException(file, where, "expected a JSON list, found " + n.getNodeType());
        return n;
    }

    public static JsonNode object(Path file, JsonNode n, String where) throws DataFormatException {
        if (!n.isObject()) throw new DataFormatException(file, where, "expected a JSON object, found " + n.getNodeType());
        return n;
    }

    /** The value at {@code key} of object {@code n}; missing -> error naming the key and {@code where}. */
    public static JsonNode get(Path file, JsonNode n, String key, String where) throws DataFormatException {
        JsonNode v = n.get(key);
        if (v == null) throw new DataFormatException(file, where, "missing key '" + key + "'");
        return v;
    }

    public static String text(Path file, JsonNode n, String key, String where) throws DataFormatException {
        JsonNode v = get(file, n, key, where);
        if (!v.isTextual()) throw new DataFormatException(file, where + ", key '" + key + "'", "expected a string, found " + v.getNodeType() + " " + v);
        return v.textValue();
    }

    public static String optText(Path file, JsonNode n, String key, String where) throws DataFormatException {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new DataFormatException(file, where + ", key '" + key + "'", "expected a string, found " + v.getNodeType() + " " + v);
        return v.textValue();
    }
}
