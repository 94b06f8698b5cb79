package lxmert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self and total times of a hand-written trace, nested by start and end per thread. */
class OpProfileTest {
    @TempDir Path dir;

    static String ev(String name, long tid, double ts, double dur) {
        return String.format(java.util.Locale.ROOT, "{\"name\": \"%s\", \"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"tid\": %d, \"pid\": \"CPU Functions\"}",
                name, ts, dur, tid);
    }

    @Test
    void selfTimeIsTotalMinusChildren() throws Exception {
        // thread 1: matmul [0, 1000) holds mm [100, 900); add_ [1000, 1200) on its own; linear [2000, 3000) holds
        //           addmm [2000, 2600) (same start: the longer one encloses) which holds copy_ [2000, 2100)
        // thread 2: add_ [0, 300) (overlaps thread 1 in time: another thread, its own stack)
        String json = "[" + String.join(",",
                ev("aten::mm", 1, 100, 800), ev("aten::matmul", 1, 0, 1000), ev("aten::add_", 1, 1000, 200),
                ev("aten::copy_", 1, 2000, 100), ev("aten::addmm", 1, 2000, 600), ev("aten::linear", 1, 2000, 1000),
                ev("aten::add_", 2, 0, 300),
                "{\"name\": \"meta\", \"ph\": \"M\"}") + "]";
        Path f = dir.resolve("trace.json");
        Files.writeString(f, json);
        OpProfile.Summary s = OpProfile.summarize(f);
        Map<String, OpProfile.Op> ops = s.ops().stream().collect(Collectors.toMap(OpProfile.Op::name, Function.identity()));
        assertEquals(0.2, ops.get("aten::matmul").selfMs(), 1e-9);
        assertEquals(1.0, ops.get("aten::matmul").totalMs(), 1e-9);
        assertEquals(0.8, ops.get("aten::mm").selfMs(), 1e-9);
        assertEquals(2, ops.get("aten::add_").calls());
        assertEquals(0.5, ops.get("aten::add_").selfMs(), 1e-9);
        assertEquals(0.4, ops.get("aten::linear").selfMs(), 1e-9);
        assertEquals(0.5, ops.get("aten::addmm").selfMs(), 1e-9);
        assertEquals(0.1, ops.get("aten::copy_").selfMs(), 1e-9);
        assertEquals(4, s.topLevelCalls()); // matmul, add_, linear on thread 1; add_ on thread 2
        assertEquals(1.0 + 0.2 + 1.0 + 0.3, s.topLevelMs(), 1e-9);
        assertEquals(0.8 + 0.5, s.matmulMs(), 1e-9);
        assertEquals("aten::mm", s.ops().get(0).name()); // by self time
    }
}
