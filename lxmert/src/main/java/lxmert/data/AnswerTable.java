package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The pretraining answer table ({@code src/pretrain/qa_answer_table.py AnswerTable}): the answers of
 * {@code data/lxmert/all_ans.json} (a list of {@code {ans, dsets}}), optionally only those used by some datasets
 * ({@code --qaSets}), with the original {@link #convertAns} normalisation.
 */
public final class AnswerTable {
    /** The original's ANS_CONVERT map. */
    public static final Map<String, String> ANS_CONVERT = Map.ofEntries(
            Map.entry("a man", "man"), Map.entry("the man", "man"), Map.entry("a woman", "woman"),
            Map.entry("the woman", "woman"), Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"),
            Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"),
            Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"), Map.entry("grey", "gray"));

    private final List<String> answers;
    private final Map<String, Integer> ans2id;

    private AnswerTable(List<String> answers, Path file) throws DataFormatException {
        this.answers = Collections.unmodifiableList(answers);
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < answers.size(); i++) {
            if (m.put(answers.get(i), i) != null) {
                throw new DataFormatException(file, "index " + i, "duplicate answer '" + answers.get(i) + "'");
            }
        }
        this.ans2id = m;
    }

    /** Loads {@code all_ans.json}; {@code dsets} non-null keeps answers used by at least one of those datasets. */
    public static AnswerTable load(Path allAnsJson, Collection<String> dsets) throws IOException {
        JsonNode root = Json.array(allAnsJson, Json.read(allAnsJson), "top level");
        Set<String> want = dsets == null ? null : new HashSet<>(dsets);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = Json.object(allAnsJson, root.get(i), "index " + i);
            String ans = Json.text(allAnsJson, e, "ans", "index " + i);
            if (want != null) {
                JsonNode ds = Json.get(allAnsJson, e, "dsets", "index " + i);
                if (!ds.isArray()) throw new DataFormatException(allAnsJson, "index " + i + ", key 'dsets'", "expected a list");
                boolean used = false;
                for (JsonNode d : ds) used |= want.contains(d.asText());
                if (!used) continue;
            }
            out.add(ans);
        }
        return new AnswerTable(out, allAnsJson);
    }

    /** An in-memory table (tests, the synthetic world). */
    public static AnswerTable of(List<String> answers) {
        try {
            return new AnswerTable(new ArrayList<>(answers), Path.of("<memory>"));
        } catch (DataFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The original's {@code convert_ans}: lower-case; drop one trailing '.' (then strip); drop a leading "a ", then
     * "an ", then "the " (each followed by strip); finally map through {@link #ANS_CONVERT}.
     */
    public static String convertAns(String ans) {
        if (ans.isEmpty()) return "";
        ans = ans.toLowerCase(Locale.ROOT);
        if (ans.charAt(ans.length() - 1) == '.') ans = ans.substring(0, ans.length() - 1).strip();
        if (ans.startsWith("a ")) ans = ans.substring(2).strip();
        if (ans.startsWith("an ")) ans = ans.substring(3).strip();
        if (ans.startsWith("the ")) ans = ans.substring(4).strip();
        return ANS_CONVERT.getOrDefault(ans, ans);
    }

    /** Index of {@code ans} (already converted), or -1. */
    public int ans2id(String ans) {
        Integer i = ans2id.get(ans);
        return i == null ? -1 : i;
    }

    public String id2ans(int id) { return answers.get(id); }

    public boolean used(String ans) { return ans2id.containsKey(ans); }

    public List<String> answers() { return answers; }

    public int size() { return answers.size(); }
}
