package lxmert.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The two question-answering tasks and their file layout under the data root. */
public enum QaTask {
    VQA("vqa"), GQA("gqa");

    /** VQA split -> COCO feature file stem ({@code vqa_data.py SPLIT2NAME}). */
    public static final Map<String, String> VQA_SPLIT2NAME = Map.of("train", "train2014", "valid", "val2014",
            "minival", "val2014", "nominival", "val2014", "test", "test2015");

    public final String dir;

    QaTask(String dir) { this.dir = dir; }

    public Path splitFile(Path root, String split) { return root.resolve(dir).resolve(split + ".json"); }

    public Path answerDir(Path root) { return root.resolve(dir); }

    /** The feature TSV of a split. */
    public Path featureTsv(Path root, String split) {
        if (this == VQA) {
            String name = VQA_SPLIT2NAME.get(split);
            if (name == null) throw new IllegalArgumentException("unknown VQA split '" + split + "', expected one of " + VQA_SPLIT2NAME.keySet());
            return root.resolve("mscoco_imgfeat").resolve(name + "_obj36.tsv");
        }
        return root.resolve("vg_gqa_imgfeat").resolve(split.startsWith("testdev") ? "gqa_testdev_obj36.tsv" : "vg_gqa_obj36.tsv");
    }

    public static QaTask parse(String s) {
        for (QaTask t : values()) if (t.dir.equalsIgnoreCase(s)) return t;
        throw new IllegalArgumentException("unknown QA task '" + s + "', expected vqa or gqa");
    }

    static List<String> splits(String s) { return List.of(s.split(",")); }
}
