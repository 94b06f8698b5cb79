package lxmert.kernel;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Notebook variables in magic arguments, as IPython expands them: {@code $NAME} and {@code ${NAME}} are replaced by
 * the value of the notebook variable {@code NAME} ({@code String.valueOf}); {@code $$} is a literal {@code $}. So a
 * parameters cell drives the magics:
 * <pre>
 * String DATA = "data"; int EPOCHS = 2;
 * %lxmert finetune --task vqa --data $DATA --epochs $EPOCHS --output ${DATA}/../snap/vqa
 * </pre>
 * A name that is not a defined variable is an error naming it ({@link #expand}): a typo must not become a folder
 * named {@code $OUTPU}. Text bodies of {@code %%html} / {@code %%markdown}, where {@code $} is ordinary text (TeX,
 * prices), use {@link #expandDefined}, which leaves such names as written. {@code $} followed by anything but a
 * letter, {@code _}, {@code {} or {@code $} is always literal ({@code $5}). Expansion happens after a line is split
 * into words, so a value with blanks stays one word.
 */
public final class MagicVariables {
    private static final Pattern REF = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private MagicVariables() {
    }

    /**
     * {@code s} with variables expanded; {@code lookup} gives a variable's text, empty when it is not defined, which
     * is an {@link IllegalArgumentException} naming the variable.
     */
    public static String expand(String s, Function<String, Optional<String>> lookup) {
        return expand(s, lookup, true);
    }

    /** {@code s} with the defined variables expanded; undefined names are left as written. */
    public static String expandDefined(String s, Function<String, Optional<String>> lookup) {
        return expand(s, lookup, false);
    }

    /** Every word expanded ({@link #expand}: an undefined variable is an error). */
    public static List<String> expand(List<String> words, Function<String, Optional<String>> lookup) {
        return words.stream().map(w -> expand(w, lookup)).toList();
    }

    private static String expand(String s, Function<String, Optional<String>> lookup, boolean strict) {
        if (s == null || s.indexOf('$') < 0) return s;
        Matcher m = REF.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String rep;
            if (name == null) {
                rep = "$";
            } else {
                Optional<String> v = lookup.apply(name);
                if (v.isEmpty() && strict) {
                    throw new IllegalArgumentException("undefined notebook variable " + m.group() + " in magic arguments: "
                            + "define " + name + " in an earlier cell, or write $$ for a literal $");
                }
                rep = v.orElse(m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(rep));
        }
        m.appendTail(out);
        return out.toString();
    }
}
