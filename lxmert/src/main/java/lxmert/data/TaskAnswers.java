package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task's answer vocabulary: {@code trainval_ans2label.json} (answer -> label) and {@code trainval_label2ans.json}
 * (list), as in {@code vqa_data.py} / {@code gqa_data.py}; the two must have equal size and agree entry by entry.
 */
public final class TaskAnswers {
    private final Map<String, Integer> ans2label;
    private final List<String> label2ans;

    public TaskAnswers(Map<String, Integer> ans2label, List<String> label2ans) {
        this.ans2label = Collections.unmodifiableMap(new LinkedHashMap<>(ans2label));
        this.label2ans = List.copyOf(label2ans);
    }

    /** The table of a label2ans list (answer i has label i). */
    public static TaskAnswers of(List<String> label2ans) {
        Map<String, Integer> a2l = new LinkedHashMap<>();
        for (int i = 0; i < label2ans.size(); i++) a2l.put(label2ans.get(i), i);
        return new TaskAnswers(a2l, label2ans);
    }

    /** Loads {@code dir/trainval_ans2label.json} and {@code dir/trainval_label2ans.json}. */
    public static TaskAnswers load(Path dir) throws IOException {
        return load(dir.resolve("trainval_ans2label.json"), dir.resolve("trainval_label2ans.json"));
    }

    public static TaskAnswers load(Path ans2labelFile, Path label2ansFile) throws IOException {
        JsonNode a2l = Json.object(ans2labelFile, Json.read(ans2labelFile), "top level");
        JsonNode l2a = Json.array(label2ansFile, Json.read(label2ansFile), "top level");
        Map<String, Integer> ans2label = new LinkedHashMap<>();
        var it = a2l.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber()) {
                throw new DataFormatException(ans2labelFile, "key '" + e.getKey() + "'", "expected an integer label, found " + e.getValue());
            }
            ans2label.put(e.getKey(), e.getValue().intValue());
        }
        List<String> label2ans = new ArrayList<>();
        for (int i = 0; i < l2a.size(); i++) {
            if (!l2a.get(i).isTextual()) throw new DataFormatException(label2ansFile, "index " + i, "expected a string, found " + l2a.get(i));
            label2ans.add(l2a.get(i).textValue());
        }
        if (ans2label.size() != label2ans.size()) {
            throw new DataFormatException(ans2labelFile, "", ans2label.size() + " answers but " + label2ansFile + " has " + label2ans.size());
        }
        for (var e : ans2label.entrySet()) {
            int l = e.getValue();
            if (l < 0 || l >= label2ans.size() || !label2ans.get(l).equals(e.getKey())) {
                throw new DataFormatException(ans2labelFile, "key '" + e.getKey() + "'", "label " + l + " but "
                        + label2ansFile.getFileName() + " has " + (l >= 0 && l < label2ans.size() ? "'" + label2ans.get(l) + "'" : "no such index") + " there");
            }
        }
        return new TaskAnswers(ans2label, label2ans);
    }

    /** Label of {@code ans}, or -1. */
    public int label(String ans) {
        Integer l = ans2label.get(ans);
        return l == null ? -1 : l;
    }

    public String answer(int label) { return label2ans.get(label); }

    public int size() { return label2ans.size(); }

    public List<String> label2ans() { return label2ans; }

    public Map<String, Integer> ans2label() { return ans2label; }
}
