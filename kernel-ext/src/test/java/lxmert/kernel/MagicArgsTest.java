package lxmert.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MagicArgsTest {
    @Test
    void splitsLikeAShell() {
        assertEquals(List.of("finetune", "--out", "snap/my run", "--x=1", "it's"),
                MagicArgs.split(" finetune --out \"snap/my run\"  --x=1 it\\'s "));
        assertEquals(List.of("a b", "c\"d", ""), MagicArgs.split("'a b' \"c\\\"d\" ''"));
        assertEquals(List.of(), MagicArgs.split("   "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MagicArgs.split("a \"b c"));
        assertTrue(e.getMessage().contains("column 3"), e.getMessage());
    }

    @Test
    void cellPartsSeparateMagicsFromCode() {
        List<CellParts.Part> parts = CellParts.split("int a = 1;\n  %jars x.jar y.jar\nint b = a;\n%classpath\n");
        assertEquals(List.of(CellParts.Kind.CODE, CellParts.Kind.LINE_MAGIC, CellParts.Kind.CODE,
                CellParts.Kind.LINE_MAGIC), parts.stream().map(CellParts.Part::kind).toList());
        assertEquals(List.of("x.jar", "y.jar"), parts.get(1).args());
        assertEquals("classpath", parts.get(3).magicName());
        CellParts.Part cell = CellParts.split("%%lxmert finetune --into r\n--task vqa\n--epochs 1").get(0);
        assertEquals(CellParts.Kind.CELL_MAGIC, cell.kind());
        assertEquals(List.of("finetune", "--into", "r"), cell.args());
        assertEquals("--task vqa\n--epochs 1", cell.body());
        assertEquals(CellParts.Kind.CODE, CellParts.split("int r = 7 % 2;\nr").get(0).kind());
        assertEquals(1, CellParts.split("int r = 7\n    % 2;").size(), "'% 2' is not a magic (no name)");
    }
}
