package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** The losses of the original, written out on NDArrays (torch semantics). */
public final class Losses {
    private Losses() {}

    /** Per-row cross entropy -log softmax(logits)[label]; rows with label -1 give 0. */
    public static NDArray crossEntropyNone(NDArray logits, NDArray labels) {
        NDArray valid = labels.gte(0);
        NDArray safe = labels.mul(valid.toType(labels.getDataType(), false)).toType(DataType.INT64, false);
        NDArray logp = logits.logSoftmax(-1);
        NDArray picked = logp.gather(safe.expandDims(1), 1).squeeze(1);
        return picked.neg().mul(valid.toType(DataType.FLOAT32, false));
    }

    /** torch CrossEntropyLoss(ignore_index=-1) with mean reduction over the non-ignored rows. */
    public static NDArray crossEntropyIgnore(NDArray logits, NDArray labels) {
        NDArray per = crossEntropyNone(logits, labels);
        NDArray count = labels.gte(0).toType(DataType.FLOAT32, false).sum();
        return per.sum().div(count);
    }

    /** torch BCEWithLogitsLoss (mean): max(x,0) - x*t + log(1 + exp(-|x|)). */
    public static NDArray bceWithLogits(NDArray logits, NDArray targets) {
        NDArray loss = logits.maximum(0f).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log());
        return loss.mean();
    }

    /** Element-wise SmoothL1 with beta 1 (reduction none). */
    public static NDArray smoothL1(NDArray pred, NDArray target) {
        NDArray d = pred.sub(target).abs();
        NDArray small = d.lt(1f).toType(DataType.FLOAT32, false);
        return d.square().mul(0.5f).mul(small).add(d.sub(0.5f).mul(small.neg().add(1f)));
    }
}
