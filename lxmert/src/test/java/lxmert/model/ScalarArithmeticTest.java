package lxmert.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;

/**
 * No DJL scalar-argument arithmetic ({@code x.mul(Number)}, {@code add(Number)}, {@code sub}, {@code div},
 * {@code pow}, {@code maximum}/{@code minimum}, their in-place and reversed forms, {@code NDArrays.add(a, Number)}
 * ...) in the main sources: on CPU DJL wraps the scalar around a Java direct buffer that the GC may free while
 * autograd still holds it (sporadic NaN gradients, see {@link Ops#scalar}); {@code Ops.mul/add/scalar} are the way.
 * The sources are compiled with javac's tree API and every call is resolved, so a call is found whatever its
 * argument looks like (a literal, a cast, a {@code double} variable). The allow-list names the few
 * non-differentiable uses, by class and method, with the reason.
 */
class ScalarArithmeticTest {
    static final Path SRC = Path.of("src/main/java");

    static final Set<String> ARITHMETIC = Set.of("add", "sub", "mul", "div", "pow", "mod", "maximum", "minimum",
            "addi", "subi", "muli", "divi", "powi", "modi", "maximumi", "minimumi",
            "rsub", "rdiv", "rpow", "rmod", "rsubi", "rdivi", "rpowi", "rmodi");

    /** Class#method -> why a scalar argument is safe there (no autograd graph). */
    static final Map<String, String> ALLOWED = Map.of(
            "lxmert.train.BertAdam#scaledUpdate", "the optimiser update (of a parameter, a piece of one or the small ones together): moments changed in place, gradients off",
            "lxmert.train.BertAdam#clipGradNorm", "scales the finished gradients in place, gradients off",
            "lxmert.train.BertAdam#clipGradNormHost", "the host-side reference of clipGradNorm (tests), gradients off",
            "lxmert.checkpoint.ModelWeights#setInPlace", "copies loaded weights into a parameter in place, gradients off");

    @Test
    void noScalarArgumentArithmeticOutsideTheAllowList() throws IOException {
        if (!Files.isDirectory(SRC)) Assumptions.abort("sources not found at " + SRC.toAbsolutePath() + " (run from the lxmert module)");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) Assumptions.abort("no system Java compiler (a JRE, not a JDK)");
        List<File> files;
        try (Stream<Path> s = Files.walk(SRC)) {
            files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
        }
        assertTrue(files.size() > 50, "the main sources are scanned: " + files.size());
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> found = new ArrayList<>();
        List<String> allowedSeen = new ArrayList<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            JavacTask task = (JavacTask) javac.getTask(null, fm, diagnostics, List.of("-proc:none", "-classpath", cp), null,
                    fm.getJavaFileObjectsFromFiles(files));
            Iterable<? extends CompilationUnitTree> units = task.parse();
            task.analyze();
            Trees trees = Trees.instance(task);
            for (CompilationUnitTree unit : units) {
                new TreePathScanner<Void, Void>() {
                    String cls = "?";
                    String method = "?";

                    @Override
                    public Void visitClass(ClassTree node, Void v) {
                        String prev = cls;
                        Element e = trees.getElement(getCurrentPath());
                        if (e instanceof TypeElement t) cls = t.getQualifiedName().toString();
                        try {
                            return super.visitClass(node, v);
                        } finally {
                            cls = prev;
                        }
                    }

                    @Override
                    public Void visitMethod(MethodTree node, Void v) {
                        String prev = method;
                        method = node.getName().toString();
                        try {
                            return super.visitMethod(node, v);
                        } finally {
                            method = prev;
                        }
                    }

                    @Override
                    public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
                        Element e = trees.getElement(getCurrentPath());
                        if (e instanceof ExecutableElement m && ARITHMETIC.contains(m.getSimpleName().toString())
                                && m.getEnclosingElement() instanceof TypeElement owner
                                && owner.getQualifiedName().toString().startsWith("ai.djl.ndarray")) {
                            for (VariableElement p : m.getParameters()) {
                                if (p.asType().toString().equals("java.lang.Number")) {
                                    long line = unit.getLineMap().getLineNumber(trees.getSourcePositions().getStartPosition(unit, node));
                                    String where = cls + "#" + method;
                                    String hit = SRC.toAbsolutePath().relativize(Path.of(unit.getSourceFile().toUri())) + ":" + line + " (" + where + "): " + node;
                                    if (ALLOWED.containsKey(where)) allowedSeen.add(where); else found.add(hit);
                                    break;
                                }
                            }
                        }
                        return super.visitMethodInvocation(node, v);
                    }
                }.scan(unit, null);
            }
        }
        List<String> errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)
                .map(Object::toString).toList();
        assertTrue(errors.isEmpty(), "the main sources must compile for the scan to resolve calls:\n" + String.join("\n", errors));
        assertTrue(found.isEmpty(), "DJL scalar-argument arithmetic (use lxmert.model.Ops.mul/add/scalar):\n" + String.join("\n", found));
        for (String a : ALLOWED.keySet()) {
            assertTrue(allowedSeen.contains(a), "allow-list entry " + a + " is no longer needed: remove it");
        }
    }
}
