package lxmert.data;

import java.util.Map;

/**
 * One flattened (sentence, image) pretraining datum ({@code lxmert_data.py:113-131}): uid
 * {@code "<img_id>_<source>_<%03d sent index>"} (the original's make_uid, a 1-tuple there), the sentence, its QA label
 * (converted answers -> score; null when the source has no labels) and the sentence source ({@code dset}).
 */
public record PretrainExample(String uid, String imgId, String sent, Map<String, Double> label, String dset) {
    public static String makeUid(String imgId, String dset, int sentIdx) {
        return String.format("%s_%s_%03d", imgId, dset, sentIdx);
    }
}
