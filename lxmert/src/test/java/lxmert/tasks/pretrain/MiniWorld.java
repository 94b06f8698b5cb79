package lxmert.tasks.pretrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import lxmert.data.ObjTsvRow;
import lxmert.data.ObjTsvWriter;
import lxmert.text.BertTokenizer;
import lxmert.text.Vocab;

/**
 * A hand-made pretraining world in the original layout: images with chosen box counts whose features encode
 * (image, box) as {@code 1000 * (image + 1) + box + 1} in every dimension, object id = box, attribute id = box + 1,
 * confidences 0.5 + box / 100; every image's sentences use its own word {@code imgN} so a swapped sentence is
 * recognisable.
 */
final class MiniWorld {
    static final int DIM = 4;
    static final ObjectMapper JSON = new ObjectMapper();

    private MiniWorld() {}

    static Vocab vocab(int images) {
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "e", "f", "g"));
        for (int i = 0; i < images; i++) v.add("img" + i);
        return Vocab.fromLines("mini", v);
    }

    static BertTokenizer tokenizer(int images) { return new BertTokenizer(vocab(images)); }

    static float featValue(int image, int box) { return 1000f * (image + 1) + box + 1; }

    /** Writes {@code tsvRel} (relative to root) with images {@code ids} having {@code boxes[i]} boxes. */
    static void tsv(Path root, String tsvRel, List<String> ids, int[] imageNumbers, int[] boxes) throws IOException {
        try (ObjTsvWriter w = new ObjTsvWriter(root.resolve(tsvRel))) {
            for (int i = 0; i < ids.size(); i++) {
                int n = boxes[i];
                long[] obj = new long[n], attr = new long[n];
                float[] oc = new float[n], ac = new float[n], bx = new float[4 * n], f = new float[n * DIM];
                for (int b = 0; b < n; b++) {
                    obj[b] = b;
                    attr[b] = b + 1;
                    oc[b] = 0.5f + b / 100f;
                    ac[b] = 0.25f + b / 100f;
                    bx[4 * b] = 1; bx[4 * b + 1] = 2; bx[4 * b + 2] = 10; bx[4 * b + 3] = 20;
                    java.util.Arrays.fill(f, b * DIM, (b + 1) * DIM, featValue(imageNumbers[i], b));
                }
                w.write(new ObjTsvRow(ids.get(i), 100, 100, n, DIM, obj, oc, attr, ac, bx, f));
            }
        }
    }

    static void json(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), value);
    }

    static void allAns(Path root, List<Map<String, Object>> entries) throws IOException {
        json(root.resolve("lxmert/all_ans.json"), entries);
    }
}
