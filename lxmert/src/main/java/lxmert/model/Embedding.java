package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * torch.nn.Embedding with {@code padding_idx=0} (modeling.py:269-271, on the word, position and token-type tables):
 * the lookup gives row 0 no gradient (the rows looked up for id 0 go through stopGradient), while the table's other
 * uses still do: the word table is also the tied MLM decoder weight, through which row 0 learns in pretraining, as
 * in the original. Like the original, the N(0, std) init overwrites row 0.
 */
public final class Embedding extends Module {
    final NDArray weight;

    public Embedding(Init init, int n, int dim) {
        weight = param("weight", normal(init.manager(), init.rng(), init.std(), n, dim));
    }

    public NDArray forward(NDArray ids) {
        NDArray out = Ops.embedding(ids, weight);
        if (!weight.hasGradient()) return out; // not trained: nothing to stop
        return NDArrays.where(ids.neq(Ops.scalar(ids, 0)).expandDims(-1).broadcast(out.getShape()), out, out.stopGradient());
    }

    public NDArray weight() {
        return weight;
    }
}
