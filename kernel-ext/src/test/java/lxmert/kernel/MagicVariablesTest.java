package lxmert.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MagicVariablesTest {
    private static final Map<String, String> VARS = Map.of("DATA", "data/real set", "EPOCHS", "3");

    private static Optional<String> lookup(String name) {
        return Optional.ofNullable(VARS.get(name));
    }

    @Test
    void expandsDefinedVariablesAndKeepsTheRest() {
        assertEquals("data/real set", MagicVariables.expand("$DATA", MagicVariablesTest::lookup));
        assertEquals("data/real set/vqa", MagicVariables.expand("${DATA}/vqa", MagicVariablesTest::lookup));
        assertEquals("e3x", MagicVariables.expand("e${EPOCHS}x", MagicVariablesTest::lookup));
        assertEquals("$UNKNOWN and $", MagicVariables.expand("$UNKNOWN and $$", MagicVariablesTest::lookup));
        assertEquals("cost $5", MagicVariables.expand("cost $5", MagicVariablesTest::lookup));
        assertEquals(List.of("--data", "data/real set", "--epochs", "3"),
                MagicVariables.expand(List.of("--data", "$DATA", "--epochs", "$EPOCHS"), MagicVariablesTest::lookup));
    }
}
