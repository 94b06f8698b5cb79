package lxmert.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Autograd switches of the PyTorch engine (grad mode is per thread in torch). */
public final class Grad {
    private Grad() {}

    /** Disables gradient recording on this thread until closed (restores the previous mode). */
    public static AutoCloseable noGrad() {
        boolean prev = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return () -> JniUtils.setGradMode(prev);
    }

    /** Enables gradient recording on this thread until closed (restores the previous mode). */
    public static Mode enable() {
        boolean prev = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        return new Mode(prev);
    }

    /**
     * The parameter's accumulated gradient as a new handle owned by {@code owner}, or null when it has none: torch's
     * {@code p.grad is None}, no backward has reached the parameter (e.g. the pooler when neither the matched nor the QA
     * loss runs). Zeroing keeps a gradient defined, as torch 1.x's {@code zero_grad()}.
     */
    public static NDArray gradient(NDArray param, NDManager owner) {
        PtNDArray g = JniUtils.getGradient((PtNDArray) param);
        if (g != null) g.attach(owner);
        return g;
    }

    /** Sets the parameter's accumulated gradient to zero (torch 1.x zero_grad); leaves an undefined gradient undefined. */
    public static void zero(NDArray param) {
        PtNDArray g = JniUtils.getGradient((PtNDArray) param);
        if (g == null) return;
        g.close();
        JniUtils.zeroGrad((PtNDArray) param);
    }

    /** Restores the previous grad mode when closed. */
    public static final class Mode implements AutoCloseable {
        private final boolean prev;

        Mode(boolean prev) {
            this.prev = prev;
        }

        @Override
        public void close() {
            JniUtils.setGradMode(prev);
        }
    }
}
