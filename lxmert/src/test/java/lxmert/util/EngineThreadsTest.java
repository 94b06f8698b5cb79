package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.pytorch.jni.JniUtils;

/** {@code --threads}: intra-op always set; inter-op set once per process, later requests leave it with one line. */
class EngineThreadsTest {
    @Test
    void setsIntraOpEveryTimeAndInterOpOncePerProcess() {
        Natives.prepare(false, s -> { });
        List<String> log = new ArrayList<>();
        int before = JniUtils.getNumInteropThreads();
        EngineThreads.Result a = EngineThreads.set(1, log::add);
        assertEquals(1, a.intraOp());
        assertEquals(1, JniUtils.getNumThreads());
        // A different inter-op count: PyTorch refuses it when inter-op work started or the count was set before.
        EngineThreads.Result b = EngineThreads.set(2, log::add);
        assertEquals(2, b.intraOp(), "intra-op threads follow every call");
        assertEquals(2, JniUtils.getNumThreads());
        if (!b.interOpSet()) {
            assertEquals(a.interOp(), b.interOp(), "inter-op stays");
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.get(0).contains("inter-op threads stay " + b.interOp()), log.get(0));
        } else {
            assertEquals(2, b.interOp());
        }
        assertTrue(before >= 1);
        assertThrows(IllegalArgumentException.class, () -> EngineThreads.set(0, log::add));
        EngineThreads.Result none = EngineThreads.set(null, log::add);
        assertEquals(2, none.intraOp());
    }
}
