package lxmert.model;

import ai.djl.ndarray.NDArray;

/**
 * torch.nn.Embedding with {@code padding_idx=0}: row 0 gets no gradient (the trainer zeroes it, see
 * {@link LxrtModel#paddingRowParameters()}); like the original, the N(0, std) init overwrites row 0.
 */
public final class Embedding extends Module {
    final NDArray weight;

    public Embedding(Init init, int n, int dim) {
        weight = param("weight", normal(init.manager(), init.rng(), init.std(), n, dim));
    }

    public NDArray forward(NDArray ids) {
        return Ops.embedding(ids, weight);
    }

    public NDArray weight() {
        return weight;
    }
}
