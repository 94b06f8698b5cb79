package lxmert.data;

/**
 * One decoded row of an obj36 feature TSV, exactly as the original {@code load_obj_tsv} returns it: boxes in pixel
 * coordinates (x1, y1, x2, y2), arrays flattened row-major ({@code boxes[4*i+k]}, {@code features[featDim*i+k]}).
 */
public record ObjTsvRow(String imgId, int imgH, int imgW, int numBoxes, int featDim,
                        long[] objectsId, float[] objectsConf, long[] attrsId, float[] attrsConf,
                        float[] boxes, float[] features) {

    /** Boxes divided by img_w (x) and img_h (y) in float32, as the original's {@code boxes[:, (0, 2)] /= img_w}. */
    public float[] normalizedBoxes() {
        float[] out = boxes.clone();
        for (int i = 0; i < numBoxes; i++) {
            out[4 * i] /= (float) imgW;
            out[4 * i + 2] /= (float) imgW;
            out[4 * i + 1] /= (float) imgH;
            out[4 * i + 3] /= (float) imgH;
        }
        return out;
    }
}
