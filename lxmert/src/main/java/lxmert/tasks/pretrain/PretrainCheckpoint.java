package lxmert.tasks.pretrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchWriter;
import lxmert.model.LxmertPretraining;

/**
 * Pretraining checkpoints in the released {@code model_LXRT.pth} key layout: the state dict of the original's
 * {@code nn.DataParallel(LXRTPretraining)}, so every key carries {@code module.} and the tied MLM decoder weight
 * {@code module.cls.predictions.decoder.weight} is written (after {@code cls.predictions.transform.LayerNorm.bias},
 * the original's order) — every key of the original and nothing else. Written as a torch zip file, atomically
 * (temporary file, fsync, rename: {@link TorchWriter#writeZip}), as {@code <name>_LXRT.pth} like the original's
 * {@code save(name)}.
 */
public final class PretrainCheckpoint {
    public static final String SUFFIX = "_LXRT.pth";

    private PretrainCheckpoint() {}

    /** {@code dir/<name>_LXRT.pth}. */
    public static Path file(Path dir, String name) { return dir.resolve(name + SUFFIX); }

    /** The tensors of {@code model} under the original's keys, in its order (lazily read when written). */
    public static Map<String, Tensor> originalTensors(LxmertPretraining model) {
        Map<String, Tensor> canonical = ModelWeights.lazyAll(model.stateDict()); // the tied decoder: one storage
        return KeyMaps.fromCanonical(canonical, KeyMaps.Layout.ORIGINAL);
    }

    /** Writes {@code model} to {@code dir/<name>_LXRT.pth} atomically; returns the path. */
    public static Path save(LxmertPretraining model, Path dir, String name) {
        Path f = file(dir, name);
        TorchWriter.writeZip(f, originalTensors(model));
        return f;
    }

    /**
     * Resolves a {@code --load-lxmert[-qa]} argument as the original does ({@code "%s_LXRT.pth" % path}), also
     * accepting the file itself: {@code P} if it is a file or a HuggingFace folder ({@code config.json} with
     * {@code model.safetensors} or {@code pytorch_model.bin}), else {@code P_LXRT.pth}.
     */
    public static Path resolve(Path p) {
        if (Files.isRegularFile(p) || lxmert.checkpoint.HfFolder.is(p)) return p;
        Path withSuffix = p.resolveSibling(p.getFileName() + SUFFIX);
        if (Files.isRegularFile(withSuffix)) return withSuffix;
        throw new IllegalArgumentException("pretrained LXMERT weights" + (Files.isDirectory(p) ? ": " + lxmert.util.Check.fileProblem(p)
                + " and not a HuggingFace folder (config.json with model.safetensors or pytorch_model.bin)"
                : "not found: " + p) + " (tried " + p + " and " + withSuffix + ")");
    }
}
