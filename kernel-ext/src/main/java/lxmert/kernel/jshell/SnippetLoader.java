package lxmert.kernel.jshell;

import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the classes JShell compiles from cells (and jars added with {@code %jars} / {@code %classpath}) into one
 * class loader whose parent is the kernel's own loader, so cells see the kernel, the library and its
 * dependencies as the very same classes the kernel uses (objects pass both ways without copies).
 */
final class SnippetLoader implements LoaderDelegate {
    private final Loader loader;
    private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

    SnippetLoader(ClassLoader parent) {
        this.loader = new Loader(parent);
    }

    ClassLoader classLoader() {
        return loader;
    }

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException {
        boolean[] installed = new boolean[cbcs.length];
        for (ClassBytecodes c : cbcs) loader.declare(c.name(), c.bytecodes());
        int i = 0;
        try {
            for (ClassBytecodes c : cbcs) {
                Class<?> k = loader.loadClass(c.name());
                loaded.put(c.name(), k);
                installed[i++] = true;
                // force static initialisation now so a failing initializer is reported at load time like JShell's
                // own engines do
                k.getDeclaredMethods();
            }
        } catch (Throwable e) {
            throw new ClassInstallException("load failed for " + cbcs[Math.min(i, cbcs.length - 1)].name()
                    + ": " + e, installed);
        }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] cbcs) {
        for (ClassBytecodes c : cbcs) loader.declare(c.name(), c.bytecodes());
    }

    @Override
    public void addToClasspath(String path) throws InternalException {
        try {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isBlank()) loader.addURL(new File(entry).toURI().toURL());
            }
        } catch (MalformedURLException e) {
            throw new InternalException("bad class path entry '" + path + "': " + e.getMessage());
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> k = loaded.get(name);
        return k != null ? k : loader.loadClass(name);
    }

    /** Parent-first loader that defines JShell's compiled wrapper classes from their byte codes. */
    private static final class Loader extends URLClassLoader {
        static {
            ClassLoader.registerAsParallelCapable();
        }

        private final Map<String, byte[]> declared = new ConcurrentHashMap<>();

        Loader(ClassLoader parent) {
            super("lxmert-jshell", new URL[0], parent);
        }

        void declare(String name, byte[] bytes) {
            declared.put(name, bytes);
        }

        @Override
        protected void addURL(URL url) {
            super.addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = declared.get(name);
            if (b != null) return defineClass(name, b, 0, b.length);
            return super.findClass(name);
        }
    }
}
