package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The losses of the original, written out on NDArrays (torch semantics). Constants go through
 * {@link Ops#scalar} (engine memory), never DJL's Number overloads, see there.
 */
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

    /** torch BCEWithLogitsLoss element-wise (reduction none): max(x,0) - x*t + log(1 + exp(-|x|)). */
    public static NDArray bceWithLogitsNone(NDArray logits, NDArray targets) {
        return logits.maximum(Ops.scalar(logits, 0)).sub(logits.mul(targets))
                .add(Ops.add(logits.abs().neg().exp(), 1).log());
    }

    /** Element-wise SmoothL1 with beta 1 (reduction none). */
    public static NDArray smoothL1(NDArray pred, NDArray target) {
        NDArray d = pred.sub(target).abs();
        NDArray small = d.lt(Ops.scalar(d, 1)).toType(DataType.FLOAT32, false);
        return Ops.mul(d.square(), 0.5).mul(small).add(Ops.add(d, -0.5).mul(Ops.add(small.neg(), 1)));
    }
}
