package lxmert.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MagicVariablesTest {
    private static final Map<String, String> VARS = Map.of("DATA", "data/real set", "EPOCHS", "3");

    private static Optional<String> lookup(String name) {
        return Optional.ofNullable(VARS.get(name));
    }

    @Test
    void expandsDefinedVariables() {
        assertEquals("data/real set", MagicVariables.expand("$DATA", MagicVariablesTest::lookup));
        assertEquals("data/real set/vqa", MagicVariables.expand("${DATA}/vqa", MagicVariablesTest::lookup));
        assertEquals("e3x", MagicVariables.expand("e${EPOCHS}x", MagicVariablesTest::lookup));
        assertEquals("a $ and $DATA", MagicVariables.expand("a $$ and $$DATA", MagicVariablesTest::lookup));
        assertEquals("cost $5", MagicVariables.expand("cost $5", MagicVariablesTest::lookup), "$ before a digit is text");
        assertEquals(List.of("--data", "data/real set", "--epochs", "3"),
                MagicVariables.expand(List.of("--data", "$DATA", "--epochs", "$EPOCHS"), MagicVariablesTest::lookup));
    }

    @Test
    void anUndefinedVariableIsAnErrorNamingIt() {
        for (String word : List.of("$OUTPU", "snap/${OUTPU}/x", "--output=$OUTPU")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MagicVariables.expand(word, MagicVariablesTest::lookup), word);
            assertTrue(e.getMessage().contains("$OUTPU") || e.getMessage().contains("${OUTPU}"), e.getMessage());
            assertTrue(e.getMessage().contains("undefined notebook variable"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MagicVariables.expand(List.of("--data", "$DATA", "--output", "$OUTPU"), MagicVariablesTest::lookup));
        assertTrue(e.getMessage().contains("$OUTPU"), e.getMessage());
    }

    @Test
    void textBodiesKeepUndefinedNames() {
        assertEquals("$x^2$ in data/real set", MagicVariables.expandDefined("$x^2$ in $DATA", MagicVariablesTest::lookup));
    }
}
