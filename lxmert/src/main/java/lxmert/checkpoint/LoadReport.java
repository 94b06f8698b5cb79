package lxmert.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares the parameters a model expects (name &rarr; shape) with a loaded canonical state dict: keys missing from
 * the file, keys in the file the model does not have, and keys whose shapes differ. {@link #toString()} prints the
 * lists in the format of the original {@code entry.LXRTEncoder.load} (entry.py:126-152): a blank line,
 * "Weights in loaded but not in model:", sorted keys, a blank line, "Weights in model but not in loaded:", sorted
 * keys, a blank line; shape mismatches (which the original would only report by crashing in
 * {@code load_state_dict}) follow in a third section when there are any.
 */
public final class LoadReport {

    /** A key present on both sides with different shapes. */
    public record Mismatch(String key, long[] expected, long[] found) {
        @Override
        public String toString() {
            return key + ": model " + Arrays.toString(expected) + " vs loaded " + Arrays.toString(found);
        }
    }

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<Mismatch> mismatched;

    private LoadReport(List<String> missing, List<String> unexpected, List<Mismatch> mismatched) {
        this.missing = Collections.unmodifiableList(missing);
        this.unexpected = Collections.unmodifiableList(unexpected);
        this.mismatched = Collections.unmodifiableList(mismatched);
    }

    /** Compares expected names/shapes with loaded tensors. */
    public static LoadReport compare(Map<String, long[]> expected, Map<String, Tensor> loaded) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<Mismatch> mismatched = new ArrayList<>();
        for (String k : new TreeSet<>(expected.keySet())) {
            Tensor t = loaded.get(k);
            if (t == null) missing.add(k);
            else if (!Arrays.equals(expected.get(k), t.shape())) mismatched.add(new Mismatch(k, expected.get(k).clone(), t.shape()));
        }
        for (String k : new TreeSet<>(loaded.keySet())) if (!expected.containsKey(k)) unexpected.add(k);
        return new LoadReport(missing, unexpected, mismatched);
    }

    /** Keys the model has but the loaded dict lacks (sorted). */
    public List<String> missing() { return missing; }

    /** Keys in the loaded dict the model does not have (sorted). */
    public List<String> unexpected() { return unexpected; }

    /** Keys with different shapes (sorted by key). */
    public List<Mismatch> mismatched() { return mismatched; }

    /** True if nothing is missing, unexpected or mismatched. */
    public boolean isClean() { return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty(); }

    /**
     * Throws a {@link CheckpointException} naming {@code source} and the offending keys if any expected key is
     * missing or has another shape (unexpected keys are allowed, like the original's {@code strict=False}).
     */
    public void requireComplete(String source) {
        if (!missing.isEmpty() || !mismatched.isEmpty()) {
            throw new CheckpointException(source + ": cannot load into the model:" + (missing.isEmpty() ? "" : " missing keys " + missing)
                    + (mismatched.isEmpty() ? "" : " shape mismatches " + mismatched));
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append("Weights in loaded but not in model:").append('\n');
        for (String k : unexpected) sb.append(k).append('\n');
        sb.append('\n').append("Weights in model but not in loaded:").append('\n');
        for (String k : missing) sb.append(k).append('\n');
        if (!mismatched.isEmpty()) {
            sb.append('\n').append("Weights with different shapes in model and loaded:").append('\n');
            for (Mismatch m : mismatched) sb.append(m).append('\n');
        }
        return sb.toString();
    }
}
