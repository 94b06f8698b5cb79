package lxmert.util;

import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one small place where option values are checked, shared by the command line ({@code lxmert.cli}) and the
 * notebook magics (through the same option mixins, {@code lxmert.cli.FinetuneArgs} ...), so that a bad value is refused before any work starts
 * and the message names the option.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>In a picocli option, as its converter: the value is checked while the command line is parsed, and a bad one
 *   is a picocli parameter error ({@code lxmert finetune: error: Invalid value for option '--batch-size': must be >= 1,
 *   got 0}, exit status 2):
 *   <pre>
 *   &#64;Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class) int batchSize;
 *   &#64;Option(names = "--lr", converter = Check.PositiveDouble.class) Double lr;
 *   </pre></li>
 *   <li>In code, for values that do not come straight from one option (or checks across options): static methods
 *   that return the value and throw {@link IllegalArgumentException} naming the option (exit status 2 in the CLI):
 *   <pre>
 *   int n = Check.positive("--batch-size", n);            // "--batch-size must be >= 1, got 0"
 *   Check.atLeast("--max-seq-length", len, 2);
 *   Check.directory("--data", dataRoot, "data directory"); // "--data: data directory not found: /x"
 *   </pre></li>
 * </ul>
 * Add a converter class here when a new kind of range is needed (each is three lines over a static method).
 */
public final class Check {
    private Check() {
    }

    /** {@code value} if it is >= 1. */
    public static int positive(String option, int value) {
        return atLeast(option, value, 1);
    }

    /** {@code value} if it is >= {@code min}. */
    public static int atLeast(String option, int value, int min) {
        if (value < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + value);
        return value;
    }

    /** {@code value} if it is finite and > 0. */
    public static double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** {@code batchSize} if {@code --accumulate accumulate} micro-batches split it evenly. */
    public static int splits(int batchSize, int accumulate) {
        if (batchSize % accumulate != 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " is not a multiple of --accumulate " + accumulate);
        }
        return batchSize;
    }

    /** {@code value} if it is -1 (meaning "all") or >= 1. */
    public static int allOrPositive(String option, int value) {
        if (value != -1 && value < 1) throw new IllegalArgumentException(option + " must be -1 (all) or >= 1, got " + value);
        return value;
    }

    /** {@code dir} if it is an existing directory; else the message says which {@code what} is missing. */
    public static Path directory(String option, Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + ": " + what + (Files.exists(dir) ? " is not a directory: " : " not found: ") + dir);
        }
        return dir;
    }

    /**
     * {@code file} if it is an existing regular file; else {@link IllegalArgumentException} (bad input) with
     * {@code "where: "} and {@link #fileProblem}, e.g. {@code "--vocab: /x is a directory, expected a file"};
     * {@code where} names the option or what the file is for (null: nothing before the problem).
     */
    public static Path file(String where, Path file) {
        String problem = fileProblem(file);
        if (problem == null) return file;
        throw new IllegalArgumentException(where == null ? problem : where + ": " + problem);
    }

    /**
     * Null when {@code file} is an existing regular file; else what it is instead, naming it: {@code "F is a
     * directory, expected a file"}, {@code "file not found: F"} or {@code "F is not a regular file"}. The one wording
     * of every loader that is given a path where a file is expected.
     */
    public static String fileProblem(Path file) {
        if (Files.isRegularFile(file)) return null;
        if (Files.isDirectory(file)) return file + " is a directory, expected a file";
        return Files.exists(file) ? file + " is not a regular file" : "file not found: " + file;
    }

    // ------------------------------------------------------------------ picocli converters (parse-time checks)

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not an integer");
        }
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a number");
        }
    }

    private static <T> T converted(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage().replaceFirst("^\\S+ ", ""));
        }
    }

    /** An int >= 1. */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            return converted(() -> positive("value", parseInt(s)));
        }
    }

    /** An int >= 2 (a sequence length holding [CLS] and [SEP]). */
    public static final class AtLeastTwo implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            return converted(() -> atLeast("value", parseInt(s), 2));
        }
    }

    /** -1 (all) or an int >= 1. */
    public static final class AllOrPositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            return converted(() -> allOrPositive("value", parseInt(s)));
        }
    }

    /** A finite double > 0. */
    public static final class PositiveDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            return converted(() -> positive("value", parseDouble(s)));
        }
    }

    /** A double in [0, 1] (a rate or probability). */
    public static final class UnitInterval implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            return converted(() -> {
                double v = parseDouble(s);
                if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("value must be in [0, 1], got " + s);
                return v;
            });
        }
    }
}
