package lxmert.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import lxmert.util.NdArrays;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Moves weights between a model's parameters (canonical names, see {@link KeyMaps}) and checkpoint tensors.
 * Loading copies one tensor at a time from the (memory-mapped) file into engine memory; saving streams each
 * parameter out as it is written, so neither direction holds a second copy of the weights.
 */
public final class ModelWeights {
    /** The tied MLM decoder weight: an alias of the word embeddings, written for the original, skipped on load. */
    public static final String TIED_DECODER = "cls.predictions.decoder.weight";
    public static final String WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight";

    private ModelWeights() {}

    /**
     * Reads a checkpoint of any supported format and layout (a torch or safetensors file, or a HuggingFace folder:
     * {@link Checkpoints#readCanonical}) and returns its tensors under canonical names; warnings go to standard error.
     */
    public static Map<String, Tensor> readCanonical(Path file) {
        return Checkpoints.readCanonical(file, System.err::println);
    }

    /**
     * Copies {@code tensors} (canonical names) into the matching {@code params}. Keys accepted by {@code ignore}
     * are neither loaded nor reported as unexpected. Shape mismatches are reported and not loaded.
     *
     * @return the report of missing, unexpected and shape-mismatched keys
     */
    public static LoadReport load(Map<String, NDArray> params, Map<String, Tensor> tensors, Predicate<String> ignore) {
        Map<String, long[]> expected = new LinkedHashMap<>();
        params.forEach((k, v) -> expected.put(k, v.getShape().getShape()));
        Map<String, Tensor> relevant = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (!ignore.test(k) && !(k.equals(TIED_DECODER) && !params.containsKey(k))) relevant.put(k, v);
        });
        LoadReport report = LoadReport.compare(expected, relevant);
        java.util.Set<String> bad = new java.util.HashSet<>();
        for (LoadReport.Mismatch m : report.mismatched()) bad.add(m.key());
        for (Map.Entry<String, Tensor> e : relevant.entrySet()) {
            NDArray p = params.get(e.getKey());
            if (p == null || bad.contains(e.getKey())) continue;
            copyInto(p, e.getValue());
        }
        return report;
    }

    /** Overwrites parameter {@code p} with the values of {@code t} (same element count; any float dtype). */
    public static void copyInto(NDArray p, Tensor t) {
        NDArray src;
        if (t.dtype() == DType.F32) {
            src = NdArrays.fromBytes(p.getManager(), t.data(), p.getShape(), DataType.FLOAT32);
        } else {
            src = NdArrays.floats(p.getManager(), t.toFloatArray(), p.getShape());
        }
        try {
            boolean grad = p.hasGradient();
            p.getNDArrayInternal(); // keep the same tensor object: copy in place
            setInPlace(p, src, grad);
        } finally {
            src.close();
        }
    }

    private static void setInPlace(NDArray p, NDArray src, boolean grad) {
        try (AutoCloseable ng = lxmert.train.Grad.noGrad()) {
            p.muli(0f).addi(src);
        } catch (Exception e) {
            throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
        }
    }

    /**
     * The parameters as lazily-read tensors under canonical names (with the tied decoder alias after
     * {@code cls.predictions.transform.LayerNorm.bias} when the model has an MLM head, sharing the word embeddings'
     * data so that {@link TorchWriter} writes it as one storage), ready for {@link KeyMaps#fromCanonical} and
     * {@link TorchWriter#writeZip}.
     */
    public static Map<String, Tensor> tensors(Map<String, NDArray> params) {
        Map<String, NDArray> withTied = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            withTied.put(e.getKey(), e.getValue());
            if (e.getKey().equals("cls.predictions.transform.LayerNorm.bias") && params.containsKey(WORD_EMBEDDINGS)) {
                withTied.put(TIED_DECODER, params.get(WORD_EMBEDDINGS));
            }
        }
        return lazyAll(withTied);
    }

    /** Lazily-read tensors of named arrays; names of the same array share one tensor's data ({@link Tensor#sharesDataWith}). */
    public static Map<String, Tensor> lazyAll(Map<String, NDArray> arrays) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<NDArray, Tensor> seen = new java.util.IdentityHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            Tensor t = seen.get(e.getValue());
            t = t != null ? t.withName(e.getKey()) : lazy(e.getKey(), e.getValue());
            seen.putIfAbsent(e.getValue(), t);
            out.put(e.getKey(), t);
        }
        return out;
    }

    /**
     * {@code canonical} with the tied decoder {@link #TIED_DECODER} added (sharing the word embeddings' data, after
     * {@code cls.predictions.transform.LayerNorm.bias}) when the tensors have an MLM head but lack the key, as
     * HuggingFace files often do; unchanged otherwise.
     */
    public static Map<String, Tensor> withTiedDecoder(Map<String, Tensor> canonical) {
        Tensor words = canonical.get(WORD_EMBEDDINGS);
        if (canonical.containsKey(TIED_DECODER) || words == null || !canonical.containsKey("cls.predictions.bias")) return canonical;
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean added = false;
        for (Map.Entry<String, Tensor> e : canonical.entrySet()) {
            out.put(e.getKey(), e.getValue());
            if (e.getKey().equals("cls.predictions.transform.LayerNorm.bias")) {
                out.put(TIED_DECODER, words.withName(TIED_DECODER));
                added = true;
            }
        }
        if (!added) out.put(TIED_DECODER, words.withName(TIED_DECODER));
        return out;
    }

    /** A tensor whose bytes are read from the NDArray (moved to the CPU if needed) only when written. */
    public static Tensor lazy(String name, NDArray a) {
        DType dt = a.getDataType() == DataType.INT64 ? DType.I64 : a.getDataType() == DataType.UINT8 ? DType.U8 : DType.F32;
        return Tensor.lazy(name, dt, a.getShape().getShape(), () -> {
            ByteBuffer b = a.toByteBuffer();
            return b.order(ByteOrder.LITTLE_ENDIAN);
        });
    }
}
