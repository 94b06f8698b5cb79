package lxmert.kernel;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Notebook variables in magic arguments, as IPython expands them: {@code $NAME} and {@code ${NAME}} are replaced by
 * the value of the notebook variable {@code NAME} ({@code String.valueOf}); {@code $$} is a literal {@code $}; a
 * name that is not a defined variable is left as written. So a parameters cell drives the magics:
 * <pre>
 * String DATA = "data"; int EPOCHS = 2;
 * %lxmert finetune --task vqa --data $DATA --epochs $EPOCHS --output ${DATA}/../snap/vqa
 * </pre>
 * Expansion happens after the line is split into words, so a value with blanks stays one word.
 */
public final class MagicVariables {
    private static final Pattern REF = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private MagicVariables() {
    }

    /** {@code s} with variables expanded; {@code lookup} gives a variable's text, empty when it is not defined. */
    public static String expand(String s, Function<String, Optional<String>> lookup) {
        if (s == null || s.indexOf('$') < 0) return s;
        Matcher m = REF.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String rep = name == null ? "$" : lookup.apply(name).orElse(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(rep));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every word expanded. */
    public static List<String> expand(List<String> words, Function<String, Optional<String>> lookup) {
        return words.stream().map(w -> expand(w, lookup)).toList();
    }
}
