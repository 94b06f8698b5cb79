package lxmert.tasks.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import ai.djl.ndarray.NDArray;
import lxmert.checkpoint.CheckpointException;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.Tensor;

/**
 * BERT initialisation ({@code --bert FILE}) as the original's {@code from_pretrained("bert-base-uncased")}
 * (modeling.py:772-830): the model is first initialised as usual (N(0, 0.02) weights, zero biases, LayerNorm 1/0),
 * then every tensor of the HuggingFace {@code bert-base-uncased} {@code pytorch_model.bin} whose name, after the
 * original's renames, is a parameter of the model with the same shape is copied in. Renames: {@code gamma} &rarr;
 * {@code weight}, {@code beta} &rarr; {@code bias} (old TF-port files), and a file without the {@code bert.} prefix
 * (a bare {@code BertModel}) gets it. So BERT's embeddings, its first {@code l_layers} layers into the language layers
 * {@code bert.encoder.layer.*}, its pooler and, for the pretraining model, its MLM head ({@code cls.predictions.*})
 * and next-sentence head ({@code cls.seq_relationship.*}) are loaded; the visual encoder, the cross-modality and
 * object-relationship layers and the other heads keep their initialisation. The tied MLM decoder is the word
 * embedding. {@link Result#describe()} is the log line.
 */
public final class BertInit {
    private BertInit() {}

    /** What was loaded and what was not. */
    public record Result(Path file, List<String> loaded, List<String> notLoaded, List<String> unused, List<String> mismatched) {
        /** One summary line plus the parameter groups not loaded. */
        public String describe() {
            return "BERT weights from " + file + ": loaded " + loaded.size() + " tensors (" + groups(loaded) + "); not loaded, initialised: "
                    + notLoaded.size() + " (" + groups(notLoaded) + "); unused from the file: " + unused.size() + " (" + groups(unused) + ")"
                    + (mismatched.isEmpty() ? "" : "; shape mismatch, not loaded: " + mismatched);
        }

        /** Key prefixes (up to the layer index) with counts, e.g. {@code bert.encoder.layer.* x144}. */
        static String groups(List<String> keys) {
            Map<String, Integer> g = new LinkedHashMap<>();
            for (String k : keys) g.merge(k.replaceAll("\\.\\d+\\..*", ".*").replaceAll("^((?:[^.]+\\.){2}[^.]+)\\..*", "$1.*"), 1, Integer::sum);
            List<String> out = new ArrayList<>();
            g.forEach((k, v) -> out.add(k + " x" + v));
            return String.join(", ", out);
        }
    }

    /** The BERT file's tensors under the names of this project (and the original's model). */
    public static Map<String, Tensor> renamed(StateDict sd) {
        boolean prefixed = false;
        for (String k : sd.keySet()) if (k.startsWith("bert.")) prefixed = true;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            String k = e.getKey();
            if (k.endsWith(".gamma")) k = k.substring(0, k.length() - 6) + ".weight";
            else if (k.endsWith(".beta")) k = k.substring(0, k.length() - 5) + ".bias";
            if (!prefixed && (k.startsWith("embeddings.") || k.startsWith("encoder.") || k.startsWith("pooler."))) k = "bert." + k;
            out.put(k, e.getValue());
        }
        return out;
    }

    /**
     * {@code --bert FILE --from-scratch}: the original loads BERT, then re-initialises every Linear, Embedding and
     * LayerNorm (lxmert_pretrain.py {@code model.apply(init_bert_weights)}), so of BERT only the MLM output bias
     * {@code cls.predictions.bias} (a bare parameter) survives. {@code params} keep their (seeded) initialisation; the
     * bias is copied from the file when it has one. Returns the log line.
     */
    public static String loadMlmBias(Map<String, NDArray> params, Path file) {
        Map<String, Tensor> t = renamed(weights(file));
        NDArray bias = params.get(MLM_BIAS);
        Tensor x = t.get(MLM_BIAS);
        String head = "Train from Scratch: re-initialize all BERT weights of " + file + "; ";
        if (bias == null) return head + "the model has no " + MLM_BIAS;
        if (x == null) return head + "the file has no " + MLM_BIAS + ": it stays 0";
        if (!java.util.Arrays.equals(x.shape(), bias.getShape().getShape())) {
            throw new CheckpointException(file + ": " + MLM_BIAS + " has shape " + java.util.Arrays.toString(x.shape())
                    + ", the model " + bias.getShape() + " (vocab_size of the config?)");
        }
        ModelWeights.copyInto(bias, x);
        return head + MLM_BIAS + " keeps BERT's values (not a Linear/Embedding/LayerNorm)";
    }

    static final String MLM_BIAS = "cls.predictions.bias";

    /**
     * The tensors of a BERT checkpoint: a {@code .bin}/{@code .pth} or {@code .safetensors} file, or a HuggingFace
     * folder (its {@code model.safetensors}, else {@code pytorch_model.bin}).
     */
    static StateDict weights(Path file) {
        if (java.nio.file.Files.isDirectory(file)) {
            Path st = file.resolve(lxmert.checkpoint.HfFolder.SAFETENSORS);
            Path bin = file.resolve(lxmert.checkpoint.HfFolder.BIN);
            if (java.nio.file.Files.isRegularFile(st)) return lxmert.checkpoint.Checkpoints.readFile(st);
            if (java.nio.file.Files.isRegularFile(bin)) return lxmert.checkpoint.Checkpoints.readFile(bin);
        }
        return lxmert.checkpoint.Checkpoints.readFile(file);
    }

    /** Loads {@code file} into {@code params} (canonical names); returns the report. */
    public static Result load(Map<String, NDArray> params, Path file) {
        StateDict sd = weights(file);
        Map<String, Tensor> t = renamed(sd);
        List<String> loaded = new ArrayList<>(), notLoaded = new ArrayList<>(), unused = new ArrayList<>(), bad = new ArrayList<>();
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            Tensor x = t.get(p.getKey());
            if (x == null) { notLoaded.add(p.getKey()); continue; }
            if (!java.util.Arrays.equals(x.shape(), p.getValue().getShape().getShape())) {
                bad.add(p.getKey() + " " + java.util.Arrays.toString(x.shape()) + " vs model " + p.getValue().getShape());
                notLoaded.add(p.getKey());
                continue;
            }
            ModelWeights.copyInto(p.getValue(), x);
            loaded.add(p.getKey());
        }
        for (String k : new TreeSet<>(t.keySet())) {
            if (!params.containsKey(k) && !k.equals(ModelWeights.TIED_DECODER)) unused.add(k);
        }
        if (loaded.isEmpty()) {
            throw new CheckpointException(file + ": no tensor fits the model: not a BERT checkpoint for this config? (first keys: "
                    + new ArrayList<>(sd.keySet()).subList(0, Math.min(5, sd.size())) + ")");
        }
        return new Result(file, loaded, notLoaded, unused, bad);
    }
}
