package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchWriter;
import lxmert.train.ResumeFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Task snapshots. {@code NAME.pth} holds the task model in the original task layout
 * ({@code lxrt_encoder.model.bert.*}, {@code logit_fc.*}), loadable by the original's {@code --load NAME} and by
 * {@code torch.load}. {@code NAME.resume.pth} (LAST only) is self-contained for resuming: the model under canonical
 * names, BertAdam's {@code next_m}/{@code next_v}, and the trainer state as a JSON byte tensor
 * ({@code trainer_state}; written by {@link ResumeFile}). Every file is written to a temporary file, fsynced and renamed, so a crash at any
 * moment leaves the previous snapshot loadable.
 */
public final class Snapshots {
    static final String STATE_KEY = ResumeFile.STATE_KEY;

    private Snapshots() {}

    /** {@code dir/name.pth}: the task model in the original task layout. */
    public static Path modelFile(Path dir, String name) {
        return dir.resolve(name + ".pth");
    }

    public static Path resumeFile(Path dir, String name) {
        return dir.resolve(name + ".resume.pth");
    }

    /** The original's {@code --load X} appends ".pth"; accept X, X.pth or a directory holding BEST.pth. */
    public static Path resolveLoad(Path p) {
        if (Files.isRegularFile(p)) return p;
        Path withExt = p.resolveSibling(p.getFileName() + ".pth");
        if (Files.isRegularFile(withExt)) return withExt;
        if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("BEST.pth"))) return p.resolve("BEST.pth");
        throw new IllegalArgumentException("snapshot not found: " + p + " (tried " + p + ", " + withExt
                + (Files.isDirectory(p) ? ", " + p.resolve("BEST.pth") : "") + ")");
    }

    public static void saveModel(Path file, Map<String, NDArray> params) {
        Map<String, Tensor> canonical = ModelWeights.tensors(params);
        TorchWriter.writeZip(file, KeyMaps.fromCanonical(canonical, KeyMaps.Layout.ORIGINAL_TASK));
    }

    public static void saveResume(Path file, Map<String, NDArray> params, Map<String, NDArray> optimizerState,
                                  JsonNode trainerState) throws IOException {
        ResumeFile.save(file, params, optimizerState, trainerState);
    }

    /** A resume snapshot read back: model tensors (canonical names), optimiser arrays and the trainer state. */
    public record Resume(Map<String, Tensor> model, Map<String, float[]> optimizer, JsonNode state) {}

    public static Resume loadResume(Path file) throws IOException {
        ResumeFile.Contents c = ResumeFile.load(file);
        return new Resume(c.model(), c.optimizer(), c.state());
    }
}
