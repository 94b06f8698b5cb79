package lxmert.kernel;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named objects handed from magics to notebook code, one registry per kernel session. A magic stores the
 * object here and the kernel declares a JShell variable initialised with {@code Bindings.get(name)}.
 */
public final class BindingRegistry {
    private final Map<String, Object> values = new ConcurrentHashMap<>();

    /** Stores {@code value} under {@code name} (a Java identifier), replacing any previous one. */
    public void put(String name, Object value) {
        requireIdentifier(name);
        if (value == null) values.remove(name);
        else values.put(name, value);
    }

    /** The object stored under {@code name}; throws naming the known names when there is none. */
    public Object get(String name) {
        Object v = values.get(name);
        if (v == null && !values.containsKey(name)) {
            throw new IllegalArgumentException("no binding named '" + name + "'; bound names: " + names());
        }
        return v;
    }

    /** The object stored under {@code name}, if any. */
    public Optional<Object> find(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The bound names, sorted. */
    public Set<String> names() {
        return new TreeSet<>(values.keySet());
    }

    /** Checks that {@code name} can be a Java variable name. */
    public static void requireIdentifier(String name) {
        if (name == null || name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))
                || !name.chars().allMatch(Character::isJavaIdentifierPart) || "_".equals(name)
                || javax.lang.model.SourceVersion.isKeyword(name)) {
            throw new IllegalArgumentException("not a valid Java variable name: '" + name + "'");
        }
    }
}
