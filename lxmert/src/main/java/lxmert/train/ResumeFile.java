package lxmert.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.checkpoint.CheckpointException;
import lxmert.checkpoint.DType;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.checkpoint.TorchWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code NAME.resume.pth}: everything to continue a run bit-exactly, in one torch zip file: the model under
 * canonical names ({@code model.*}), BertAdam's {@code next_m}/{@code next_v} ({@code optim.*}) and the loop
 * state as a JSON byte tensor ({@code trainer_state}). Written to a temporary file, fsynced and renamed
 * (TorchWriter), so a crash leaves the previous file loadable.
 */
public final class ResumeFile {
    /** The resume file's name in a run's output directory. */
    public static final String NAME = "LAST.resume.pth";
    public static final String STATE_KEY = "trainer_state";
    public static final String MODEL_PREFIX = "model.";
    public static final String OPTIM_PREFIX = "optim.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeFile() {}

    public static void save(Path file, Map<String, NDArray> params, Map<String, NDArray> optimizerState,
                            JsonNode trainerState) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        params.forEach((k, v) -> all.put(MODEL_PREFIX + k, ModelWeights.lazy(MODEL_PREFIX + k, v)));
        optimizerState.forEach((k, v) -> all.put(OPTIM_PREFIX + k, ModelWeights.lazy(OPTIM_PREFIX + k, v)));
        byte[] json = JSON.writeValueAsBytes(trainerState);
        all.put(STATE_KEY, Tensor.of(STATE_KEY, DType.U8, new long[] {json.length}, ByteBuffer.wrap(json)));
        TorchWriter.writeZip(file, all);
    }

    /** A resume file read back: model tensors (canonical names), optimiser arrays and the loop state. */
    public record Contents(Map<String, Tensor> model, Map<String, float[]> optimizer, JsonNode state) {}

    public static Contents load(Path file) throws IOException {
        StateDict sd = TorchReader.read(file);
        Tensor st = sd.get(STATE_KEY);
        if (st == null) throw new CheckpointException(file + ": not a resume snapshot (no key " + STATE_KEY + ")");
        ByteBuffer b = st.data();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        JsonNode state = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, float[]> optim = new LinkedHashMap<>();
        sd.forEach((k, v) -> {
            if (k.startsWith(MODEL_PREFIX)) model.put(k.substring(MODEL_PREFIX.length()), v);
            else if (k.startsWith(OPTIM_PREFIX)) optim.put(k.substring(OPTIM_PREFIX.length()), v.toFloatArray());
        });
        return new Contents(model, optim, state);
    }
}
