package lxmert.train;

import ai.djl.ndarray.NDArray;
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

    public static void setEnabled(boolean on) {
        JniUtils.setGradMode(on);
    }

    /** Sets the parameter's accumulated gradient to zero (torch zero_grad). */
    public static void zero(NDArray param) {
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
