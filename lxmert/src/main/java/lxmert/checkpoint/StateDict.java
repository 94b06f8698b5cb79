package lxmert.checkpoint;

import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ordered, read-only map from parameter name to {@link Tensor} as read from a {@code .pth} file, in the
 * file's order, with the path it came from and the container format. Tensors sharing a storage in the file
 * (tied weights) are separate entries sharing the same bytes.
 */
public final class StateDict extends AbstractMap<String, Tensor> {

    /** Container formats of {@code torch.save}. */
    public enum Format {
        /** Pre-1.6 pickle stream: magic, protocol, sys_info, object pickle, storage keys, raw storages. */
        LEGACY,
        /** Zip archive ({@code torch.save} default since 1.6): {@code <prefix>/data.pkl} and {@code <prefix>/data/<key>}. */
        ZIP,
        /** HuggingFace safetensors: 8-byte header length, JSON header, raw little-endian data ({@link Safetensors}). */
        SAFETENSORS,
        /** Built in memory, not read from a file. */
        MEMORY
    }

    private final Map<String, Tensor> tensors;
    private final Path source;
    private final Format format;
    private final Map<String, String> metadata;

    public StateDict(Map<String, Tensor> tensors, Path source, Format format) {
        this(tensors, source, format, Map.of());
    }

    /** With the file's string metadata (a safetensors {@code __metadata__}; empty for torch files). */
    public StateDict(Map<String, Tensor> tensors, Path source, Format format, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.source = source;
        this.format = format;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The file's string metadata in file order (a safetensors {@code __metadata__}); empty when it has none. */
    public Map<String, String> metadata() { return metadata; }

    /** The file this was read from, or null if built in memory. */
    public Path source() { return source; }

    public Format format() { return format; }

    /** The tensor named {@code name}; throws a {@link CheckpointException} naming the key and file if absent. */
    public Tensor require(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException("key " + name + " not found in " + (source == null ? "state dict" : source)
                    + " (" + tensors.size() + " keys)");
        }
        return t;
    }

    @Override
    public Tensor get(Object key) { return tensors.get(key); }

    @Override
    public boolean containsKey(Object key) { return tensors.containsKey(key); }

    @Override
    public int size() { return tensors.size(); }

    @Override
    public Set<Entry<String, Tensor>> entrySet() { return tensors.entrySet(); }

    @Override
    public String toString() {
        return "StateDict(" + tensors.size() + " tensors, " + format + (source == null ? "" : ", " + source) + ")";
    }
}
