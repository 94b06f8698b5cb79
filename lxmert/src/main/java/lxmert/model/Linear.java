package lxmert.model;

import ai.djl.ndarray.NDArray;

/** torch.nn.Linear: weight [out, in], bias [out]. */
public final class Linear extends Module {
    final NDArray weight;
    final NDArray bias;

    public Linear(Init init, int in, int out) {
        weight = param("weight", normal(init.manager(), init.rng(), init.std(), out, in));
        bias = param("bias", zeros(init.manager(), out));
    }

    public NDArray forward(NDArray x) {
        return Ops.linear(x, weight, bias);
    }
}
