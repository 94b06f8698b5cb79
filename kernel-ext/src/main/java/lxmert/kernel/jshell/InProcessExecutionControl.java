package lxmert.kernel.jshell;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JShell execution engine that runs snippets in this JVM, on the thread that calls {@code JShell.eval}.
 *
 * <ul>
 *   <li>Values: every snippet's value is kept as the Java object (not only its string form) under a key that
 *       JShell hands back as the snippet's "value"; {@link #takeValue(String)} turns it back into the object.</li>
 *   <li>Redefinition: with an {@link Instrumentation} (see {@link RedefineAgent}) redefined wrapper classes are
 *       swapped in place so variables keep their values; without one it declines like the stock engine.</li>
 *   <li>Stopping: user code runs inside an {@link ExecutionGuard}, so the kernel interrupts only user code (never
 *       JShell while it compiles); {@link #stop()} is the hard stop of last resort.</li>
 * </ul>
 */
public final class InProcessExecutionControl extends DirectExecutionControl {
    /** Prefix of the value keys handed to JShell; never a legal Java value rendering. */
    static final String KEY_PREFIX = "\u0000lxmert-value:";

    private final SnippetLoader loader;
    private final Instrumentation instrumentation;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong();
    private final ExecutionGuard guard;

    InProcessExecutionControl(SnippetLoader loader, Instrumentation instrumentation, ExecutionGuard guard) {
        super(loader);
        this.guard = guard;
        this.loader = loader;
        this.instrumentation = instrumentation;
    }

    /** The class loader of cell classes (a child of the kernel's loader). */
    public ClassLoader classLoader() {
        return loader.classLoader();
    }

    /** Whether redefinitions keep variable values (an instrumentation is available). */
    public boolean canRedefine() {
        return instrumentation != null && instrumentation.isRedefineClassesSupported();
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object value = doitMethod.invoke(null);
        String key = KEY_PREFIX + nextKey.incrementAndGet();
        if (value != null) values.put(key, value);
        return key;
    }

    /**
     * The object behind a value key returned by JShell for a snippet, removing it from the store.
     * Returns {@code null} for a {@code null} value; throws when {@code key} is not a value key.
     */
    public Object takeValue(String key) {
        if (!isValueKey(key)) throw new IllegalArgumentException("not a snippet value key: " + key);
        return values.remove(key);
    }

    /** Whether {@code s} is a key produced by {@link #invoke(Method)}. */
    public static boolean isValueKey(String s) {
        return s != null && s.startsWith(KEY_PREFIX);
    }

    /** Drops every stored value (called after each cell so values not taken do not leak). */
    public void clearValues() {
        values.clear();
    }

    @Override
    public void redefine(ClassBytecodes[] cbcs)
            throws ClassInstallException, NotImplementedException, EngineTerminationException {
        if (!canRedefine()) throw new NotImplementedException("redefine: no instrumentation (see RedefineAgent)");
        boolean[] installed = new boolean[cbcs.length];
        ClassDefinition[] defs = new ClassDefinition[cbcs.length];
        try {
            for (int i = 0; i < cbcs.length; i++) {
                defs[i] = new ClassDefinition(loader.findClass(cbcs[i].name()), cbcs[i].bytecodes());
            }
            instrumentation.redefineClasses(defs);
        } catch (ClassNotFoundException | UnmodifiableClassException | RuntimeException | LinkageError e) {
            // shape changes (added fields/methods) cannot be redefined: JShell then replaces the class, as with JDI
            throw new ClassInstallException("redefine declined: " + e, installed);
        }
        java.util.Arrays.fill(installed, true);
        loader.classesRedefined(cbcs);
    }

    @Override
    protected void clientCodeEnter() {
        guard.enter();
    }

    @Override
    protected void clientCodeLeave() {
        guard.leave();
    }

    /** Hard stop of running user code (JShell's {@code stop}); see {@link ExecutionGuard#hardStop()}. */
    @Override
    public void stop() {
        guard.hardStop();
    }
}
