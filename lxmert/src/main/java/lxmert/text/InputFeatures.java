package lxmert.text;

import java.util.Arrays;
import java.util.List;

/**
 * One encoded sentence, as the original {@code InputFeatures} plus the token list.
 *
 * @param tokens     "[CLS]", the (truncated) word pieces, "[SEP]" — no padding (the original's local
 *                   {@code tokens})
 * @param inputIds   vocabulary ids of {@code tokens}, zero-padded to max_seq_length
 * @param inputMask  1 for each of {@code tokens}, then 0
 * @param segmentIds all 0
 */
public record InputFeatures(List<String> tokens, int[] inputIds, int[] inputMask, int[] segmentIds) {

    public InputFeatures {
        tokens = List.copyOf(tokens);
    }

    /** The padded length (max_seq_length). */
    public int length() {
        return inputIds.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputFeatures f && tokens.equals(f.tokens) && Arrays.equals(inputIds, f.inputIds)
                && Arrays.equals(inputMask, f.inputMask) && Arrays.equals(segmentIds, f.segmentIds);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode() * 31 + Arrays.hashCode(inputIds);
    }

    @Override
    public String toString() {
        return "InputFeatures[tokens=" + tokens + ", inputIds=" + Arrays.toString(inputIds)
                + ", inputMask=" + Arrays.toString(inputMask) + ", segmentIds=" + Arrays.toString(segmentIds) + "]";
    }
}
