package lxmert.model;

import ai.djl.ndarray.NDArray;

/**
 * The answer classifier {@code logit_fc}: Linear(in, 2H) -> GeLU -> LayerNorm(2H, 1e-12) -> Linear(2H, A)
 * (modeling.py:620-632; vqa_model.py:26-31). Children are named 0, 2, 3 like the torch Sequential.
 * For NLVR2, {@code in} is 2H (the two images' pooled vectors concatenated) and A is 2.
 */
public final class AnswerHead extends Module {
    final Linear fc0;
    final LayerNorm ln2;
    final Linear fc3;

    public AnswerHead(Init init, int in, int hidden2, int numAnswers, double eps) {
        fc0 = child("0", new Linear(init, in, hidden2));
        ln2 = child("2", new LayerNorm(init, hidden2, eps));
        fc3 = child("3", new Linear(init, hidden2, numAnswers));
    }

    public NDArray forward(NDArray x) {
        return fc3.forward(ln2.forward(Ops.gelu(fc0.forward(x))));
    }

    public int numAnswers() {
        return (int) fc3.bias.getShape().get(0);
    }
}
