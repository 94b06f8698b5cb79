package lxmert.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a cell into what the kernel runs in order: a cell magic ({@code %%name args} on the first line, the
 * rest is its body), or a sequence of Java code and line magics ({@code %name args} alone on a line).
 *
 * <p>A line whose first non-blank character is {@code %} followed by a letter is a line magic. Java never starts
 * a statement with {@code %}; a text block or comment line starting that way would be mistaken for one.
 */
public final class CellParts {
    private static final Pattern LINE_MAGIC = Pattern.compile("^[ \\t]*%([A-Za-z][\\w.-]*)(.*)$");
    private static final Pattern CELL_MAGIC = Pattern.compile("^\\s*%%([A-Za-z][\\w.-]*)([^\\n]*)(?:\\n(.*))?$",
            Pattern.DOTALL);

    /** One runnable part of a cell. */
    public record Part(Kind kind, String code, String magicName, List<String> args, String body) {
        /** Java code to evaluate. */
        static Part code(String code) {
            return new Part(Kind.CODE, code, null, List.of(), null);
        }
    }

    /** What a part is. */
    public enum Kind { CODE, LINE_MAGIC, CELL_MAGIC }

    private CellParts() {
    }

    /** The parts of {@code cell}, in order; blank code between magics is dropped. */
    public static List<Part> split(String cell) {
        Matcher cm = CELL_MAGIC.matcher(cell);
        if (cm.matches()) {
            String body = cm.group(3) == null ? "" : cm.group(3);
            return List.of(new Part(Kind.CELL_MAGIC, null, cm.group(1), MagicArgs.split(cm.group(2)), body));
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder code = new StringBuilder();
        for (String line : cell.split("\n", -1)) {
            Matcher lm = LINE_MAGIC.matcher(line);
            if (lm.matches()) {
                if (!code.toString().isBlank()) parts.add(Part.code(code.toString()));
                code.setLength(0);
                parts.add(new Part(Kind.LINE_MAGIC, null, lm.group(1), MagicArgs.split(lm.group(2)), null));
            } else {
                code.append(line).append('\n');
            }
        }
        if (!code.toString().isBlank()) parts.add(Part.code(code.toString()));
        return parts;
    }

    /** {@code cell} with its line magics blanked out (for completeness checks of the Java code). */
    public static String javaOnly(String cell) {
        StringBuilder sb = new StringBuilder();
        for (String line : cell.split("\n", -1)) {
            sb.append(LINE_MAGIC.matcher(line).matches() ? "" : line).append('\n');
        }
        return sb.toString();
    }
}
