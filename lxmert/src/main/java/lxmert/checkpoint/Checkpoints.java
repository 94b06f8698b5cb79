package lxmert.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one way in for weights, wherever a checkpoint is taken: a file in any supported container, recognised by its
 * first bytes (torch zip, legacy torch pickle, safetensors), or a HuggingFace folder ({@link HfFolder}:
 * {@code config.json} with {@code model.safetensors} or {@code pytorch_model.bin}), in any key layout
 * ({@link KeyMaps}).
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** The tensors of a checkpoint file or HuggingFace folder as stored (the file's keys and order). */
    public static StateDict read(Path p) {
        if (HfFolder.is(p)) return HfFolder.open(p, s -> {}).read();
        return readFile(p);
    }

    /** A checkpoint file: torch zip, legacy torch or safetensors, by its first bytes. */
    public static StateDict readFile(Path p) {
        if (Files.isDirectory(p)) {
            throw new CheckpointException(p + " is a directory, expected a checkpoint file or a HuggingFace folder (a "
                    + HfFolder.CONFIG + " with " + HfFolder.SAFETENSORS + " or " + HfFolder.BIN + ")");
        }
        if (Files.isRegularFile(p)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ByteBuffer head = ByteBuffer.allocate(9);
                while (head.hasRemaining() && ch.read(head, head.position()) > 0) { /* fill */ }
                byte[] h = head.array();
                // a safetensors header length may well start with byte 0x80 (e.g. 128): its shape decides first; a
                // torch file never has '{' at byte 8 (legacy: inside the magic number; zip: the method field)
                boolean torch = (h[0] == 'P' && h[1] == 'K') || (h[0] & 0xff) == 0x80;
                if (Safetensors.looksLike(h, ch.size()) || (!torch && p.getFileName().toString().endsWith(".safetensors"))) {
                    return Safetensors.read(p);
                }
            } catch (IOException e) {
                throw new CheckpointException(p + ": I/O error: " + e, e);
            }
        }
        return TorchReader.read(p);
    }

    /**
     * The tensors of a checkpoint file or HuggingFace folder under canonical names ({@link KeyMaps}), the tied MLM
     * decoder added when a model with an MLM head lacks it ({@link ModelWeights#withTiedDecoder}); for a
     * HuggingFace folder the heads its config.json switches off are dropped ({@link HfFolder#canonical}).
     * {@code warn} receives one line per problem that is not an error (unknown config keys, dropped heads).
     */
    public static Map<String, Tensor> readCanonical(Path p, Consumer<String> warn) {
        if (HfFolder.is(p)) return HfFolder.open(p, warn).canonical(warn);
        return canonical(readFile(p));
    }

    /**
     * A state dict under canonical names with the tied decoder; a safetensors file's tensors in the model's order
     * ({@link KeyMaps#inModelOrder}: the {@code safetensors} library sorts them by dtype and name), a torch file's
     * as stored (torch keeps the state dict's order).
     */
    static Map<String, Tensor> canonical(StateDict sd) {
        Map<String, Tensor> c = KeyMaps.toCanonical(sd);
        if (sd.format() == StateDict.Format.SAFETENSORS) c = KeyMaps.inModelOrder(c);
        return ModelWeights.withTiedDecoder(c);
    }
}
