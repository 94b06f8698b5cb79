package lxmert.kernel.magic;

import io.github.spencerpark.jupyter.kernel.magic.registry.CellMagicFunction;
import io.github.spencerpark.jupyter.kernel.magic.registry.LineMagicFunction;
import lxmert.kernel.BindingRegistry;
import lxmert.kernel.MagicArgs;
import lxmert.kernel.NotebookSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code %lxmert} line magic and {@code %%lxmert} cell magic.
 *
 * <pre>
 * %lxmert help [SUBCOMMAND]
 * %lxmert finetune --task vqa --epochs 2 --into result
 * %%lxmert finetune --into result
 * --task vqa            # the body holds more options, any number per line; '#' starts a comment
 * --epochs 2 --lr 5e-5
 * </pre>
 *
 * Sub-commands {@code synth}, {@code finetune}, {@code pretrain}, {@code test}, {@code evaluate}, {@code load} are
 * parsed with picocli ({@link MagicCommands}: the CLI's option mixins) and run. With {@code --into NAME} the result
 * is bound to a notebook variable {@code NAME} (declared with the result's public type).
 */
public final class LxmertMagics implements LineMagicFunction<Object>, CellMagicFunction<Object> {
    /** The magic's name: {@code %lxmert} / {@code %%lxmert}. */
    public static final String NAME = "lxmert";

    private final NotebookSession session;

    public LxmertMagics(NotebookSession session) {
        this.session = session;
    }

    @Command(name = "%lxmert", description = "LXMERT steps in a notebook; same options as the lxmert command line.",
            footer = {"", "Add --into NAME to bind the result to a notebook variable.",
                    "$NAME or ${NAME} in the arguments is the value of the notebook variable NAME ($$ is a '$').",
                    "%%lxmert SUBCOMMAND ... takes more options in the cell body, one or more per line."})
    static final class Root {
    }

    /** A parsed invocation: the sub-command name and the sub-command with its options. */
    public record Parsed(String subcommand, MagicCommands.Common command) {
    }

    @Override
    public Object execute(List<String> args) throws Exception {
        return run(args, System.out);
    }

    @Override
    public Object execute(List<String> args, String body) throws Exception {
        List<String> all = new ArrayList<>(args);
        all.addAll(bodyArgs(body));
        return run(all, System.out);
    }

    /** The options written in a {@code %%lxmert} body: words of every line, {@code #} comments dropped. */
    public static List<String> bodyArgs(String body) {
        List<String> out = new ArrayList<>();
        if (body == null) return out;
        int n = 0;
        for (String line : body.split("\n")) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            int hash = l.indexOf(" #");
            if (hash >= 0) l = l.substring(0, hash);
            try {
                out.addAll(MagicArgs.split(l));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("%%lxmert body line " + n + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Runs one invocation, writing help and messages to {@code out}; returns the sub-command's result or null. With
     * {@code --verbose} an error's stack trace is printed to {@code System.err} before it is thrown.
     */
    public Object run(List<String> args, PrintStream out) throws Exception {
        try {
            return runQuietly(args, out);
        } catch (Exception e) {
            if (args.contains("--verbose")) e.printStackTrace(System.err);
            throw e;
        }
    }

    private Object runQuietly(List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
            out.print(usage(args.size() > 1 ? args.get(1) : null));
            out.flush();
            return null;
        }
        Parsed p = parse(args);
        if (p.command().help) {
            out.print(usage(p.subcommand()));
            out.flush();
            return null;
        }
        String into = p.command().into;
        if (into != null) BindingRegistry.requireIdentifier(into); // before any work
        Object result = p.command().run(new MagicCall(session, p.subcommand(), args));
        if (into != null) {
            String type = declaredType(result);
            if (session.declareVariable(into, type, result)) {
                out.println("bound " + into + " (" + type + ")");
            } else {
                out.println("bound as \"" + into + "\"; declare it with: var " + into
                        + " = lxmert.kernel.Bindings.get(\"" + into + "\", " + type + ".class);");
            }
            out.flush();
        }
        return result;
    }

    /** Parses {@code args} (sub-command first); throws {@link IllegalArgumentException} with the usage on errors. */
    public static Parsed parse(List<String> args) {
        CommandLine cl = commandLine();
        try {
            CommandLine.ParseResult pr = cl.parseArgs(args.toArray(String[]::new));
            if (!pr.hasSubcommand()) {
                throw new IllegalArgumentException("%lxmert needs a sub-command\n" + usage(null));
            }
            CommandLine.ParseResult sub = pr.subcommand();
            return new Parsed(sub.commandSpec().name(), (MagicCommands.Common) sub.commandSpec().userObject());
        } catch (CommandLine.ParameterException e) {
            String which = e.getCommandLine() == cl ? null : e.getCommandLine().getCommandName();
            throw new IllegalArgumentException("%lxmert: " + e.getMessage() + "\n" + usage(which), e);
        }
    }

    /** The usage text of {@code %lxmert} or of one sub-command. */
    public static String usage(String subcommand) {
        CommandLine cl = commandLine();
        CommandLine target = subcommand == null ? cl : cl.getSubcommands().get(subcommand);
        if (target == null) {
            return "unknown sub-command '" + subcommand + "'; one of " + cl.getSubcommands().keySet() + "\n";
        }
        StringWriter sw = new StringWriter();
        target.usage(new PrintWriter(sw), CommandLine.Help.Ansi.OFF);
        return sw.toString();
    }

    private static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Root());
        cl.addSubcommand(new MagicCommands.Synth());
        cl.addSubcommand(new MagicCommands.Finetune());
        cl.addSubcommand(new MagicCommands.Pretrain());
        cl.addSubcommand(new MagicCommands.Test());
        cl.addSubcommand(new MagicCommands.Evaluate());
        cl.addSubcommand(new MagicCommands.Load());
        return cl;
    }

    /**
     * The type to declare a notebook variable holding {@code value} with: its class if public (and every enclosing
     * class public), else the nearest public superclass, preferring a public interface over {@code Object} or a
     * JDK abstract base class ({@code java.util.AbstractList} becomes {@code java.util.List}).
     */
    public static String declaredType(Object value) {
        if (value == null) return "Object";
        Class<?> c = value.getClass();
        Class<?> candidate = null;
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (isPublic(k) && k.getCanonicalName() != null) {
                candidate = k;
                break;
            }
        }
        boolean weak = candidate == null || candidate == Object.class
                || (Modifier.isAbstract(candidate.getModifiers()) && candidate.getName().startsWith("java."));
        if (weak) {
            for (Class<?> k = c; k != null; k = k.getSuperclass()) {
                for (Class<?> i : k.getInterfaces()) {
                    if (isPublic(i) && i.getCanonicalName() != null && !MARKERS.contains(i)) return i.getCanonicalName();
                }
            }
        }
        return candidate == null ? "Object" : candidate.getCanonicalName();
    }

    /** Interfaces that say nothing useful about a value (skipped when choosing a declared type). */
    private static final java.util.Set<Class<?>> MARKERS = java.util.Set.of(java.io.Serializable.class,
            Cloneable.class, java.util.RandomAccess.class, Comparable.class, java.lang.constant.Constable.class,
            java.lang.constant.ConstantDesc.class);

    private static boolean isPublic(Class<?> k) {
        for (Class<?> x = k; x != null; x = x.getEnclosingClass()) {
            if (!Modifier.isPublic(x.getModifiers())) return false;
        }
        return !k.isAnonymousClass() && !k.isLocalClass() && !k.isHidden();
    }
}
