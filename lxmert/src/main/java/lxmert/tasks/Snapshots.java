package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Task snapshots: {@code NAME.pth} holds the task model in the original task layout
 * ({@code lxrt_encoder.model.bert.*}, {@code logit_fc.*}), loadable by the original's {@code --load NAME} and by
 * {@code torch.load}; written to a temporary file, fsynced and renamed, so a crash at any moment leaves the previous
 * snapshot loadable. (Resume snapshots, {@code LAST.resume.pth}, are {@link lxmert.train.ResumeFile}'s.)
 */
public final class Snapshots {
    private Snapshots() {}

    /** {@code dir/name.pth}: the task model in the original task layout. */
    public static Path modelFile(Path dir, String name) {
        return dir.resolve(name + ".pth");
    }

    /**
     * The original's {@code --load X} appends ".pth"; accept X, X.pth, a HuggingFace folder ({@code config.json} with
     * {@code model.safetensors} or {@code pytorch_model.bin}) or a directory holding BEST.pth.
     */
    public static Path resolveLoad(Path p) {
        if (Files.isRegularFile(p) || lxmert.checkpoint.HfFolder.is(p)) return p;
        Path withExt = p.resolveSibling(p.getFileName() + ".pth");
        if (Files.isRegularFile(withExt)) return withExt;
        if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("BEST.pth"))) return p.resolve("BEST.pth");
        throw new IllegalArgumentException((Files.isDirectory(p) ? "snapshot: " + p + " is a directory without BEST.pth and not a "
                + "HuggingFace folder (config.json with model.safetensors or pytorch_model.bin), expected a file"
                : "snapshot not found: " + p) + " (tried " + p + ", " + withExt + (Files.isDirectory(p) ? ", " + p.resolve("BEST.pth") : "") + ")");
    }

    public static void saveModel(Path file, Map<String, NDArray> params) {
        Map<String, Tensor> canonical = ModelWeights.tensors(params);
        TorchWriter.writeZip(file, KeyMaps.fromCanonical(canonical, KeyMaps.Layout.ORIGINAL_TASK));
    }
}
