package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PyJsonTest {
    @Test
    void floatReprMatchesPython() {
        // expected strings are Python 3 repr() of the same doubles
        String[][] cases = {{"0.1", "0.1"}, {"1e-05", "1e-05"}, {"0.0001", "0.0001"}, {"1e16", "1e+16"},
                {"1e15", "1000000000000000.0"}, {"123.456", "123.456"}, {"0.3", "0.3"}, {"1.5e-7", "1.5e-07"},
                {"-0.0", "-0.0"}, {"4.9e-324", "5e-324"}, {"1.7976931348623157e308", "1.7976931348623157e+308"},
                {"1.0", "1.0"}, {"-2.5", "-2.5"}, {"12345678901234567890", "1.2345678901234567e+19"}};
        for (String[] c : cases) assertEquals(c[1], PyJson.floatRepr(Double.parseDouble(c[0])), c[0]);
        assertEquals("0.3333333333333333", PyJson.floatRepr(1.0 / 3));
        assertEquals("3.3000000000000003", PyJson.floatRepr(1.1 * 3));
    }

    @Test
    void indentedSortedOutputMatchesPythonLayout() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("b", 1);
        d.put("a", List.of(1, 2));
        d.put("c", Map.of());
        String expected = "[\n    {\n        \"a\": [\n            1,\n            2\n        ],\n        \"b\": 1,\n"
                + "        \"c\": {}\n    },\n    []\n]";
        assertEquals(expected, PyJson.dumps(List.of(d, List.of()), 4, true));
    }

    @Test
    void compactOutputUsesPythonSeparatorsAndAsciiEscapes() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("x", new ArrayList<>(Arrays.asList(1, 2.5, null, true)));
        d.put("\u00e9", "\u00fc\n\"\\\u007f\t\ud83d\ude00");
        assertEquals("{\"x\": [1, 2.5, null, true], \"\\u00e9\": \"\\u00fc\\n\\\"\\\\\\u007f\\t\\ud83d\\ude00\"}",
                PyJson.dumps(d, -1, false));
    }
}
