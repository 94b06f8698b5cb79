package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import lxmert.kernel.jshell.RedefineAgent;
import lxmert.data.synth.SynthWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChartBuilder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The extension inside this project's kernel (magics binding JShell variables, renderers) and inside a foreign one. */
class ExtensionTest {
    private JavaKernel kernel;

    @AfterEach
    void close() {
        if (kernel != null) kernel.close();
    }

    @Test
    void magicResultsBecomeTypedNotebookVariables(@TempDir Path tmp) throws Exception {
        RecordingOutput out = new RecordingOutput();
        kernel = new JavaKernel(KernelConfig.basic(RedefineAgent.attachToSelf(), out));
        LxmertExtension.register(kernel, kernel.getMagics());
        kernel.eval("String W = \"" + tmp + "\";");
        kernel.eval("%lxmert synth --out $W/a --scale 0.05 --feat-dim 4 --into result");
        assertTrue(out.stdout().contains("bound result (" + SynthWorld.Summary.class.getCanonicalName()), out.stdout());
        kernel.eval("int other = 1;");
        DisplayData d = kernel.eval("result.root().getFileName() + \"\" + other"); // compiles only if the variable is typed
        assertEquals("a1", d.getData(MIMEType.TEXT_PLAIN));
        kernel.eval("%%lxmert synth --into second\n--out $W/b   # the world\n--seed 5 --scale 0.05 --feat-dim 4\n");
        assertEquals("b a", kernel.eval("second.root().getFileName() + \" \" + result.root().getFileName()")
                .getData(MIMEType.TEXT_PLAIN));
        kernel.eval("String NAME = \"c\"; double SCALE = 0.05;");
        kernel.eval("%lxmert synth --out $W/$NAME --scale ${SCALE} --feat-dim 4 --into third");
        assertEquals("c", kernel.eval("third.root().getFileName().toString()").getData(MIMEType.TEXT_PLAIN),
                "notebook variables are expanded in magic arguments");
    }


    @Test
    void magicErrorsInCellsNameTheProblemInOneLine(@TempDir Path tmp) throws Exception {
        RecordingOutput out = new RecordingOutput();
        kernel = new JavaKernel(KernelConfig.basic(RedefineAgent.attachToSelf(), out));
        LxmertExtension.register(kernel, kernel.getMagics());
        Path o = tmp.resolve("o");
        kernel.eval("String OUTPUT = \"" + o + "\";");
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> kernel.eval("%lxmert finetune --task vqa --output $OUTPU"));
        List<String> shown = kernel.formatError(e);
        assertEquals(1, shown.size(), shown.toString());
        assertTrue(shown.get(0).startsWith("error: undefined notebook variable $OUTPU"), shown.toString());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.eval("%%lxmert finetune\n--task vqa --output $OUTPUT\n--epochs ${EPOCHS}\n"));
        assertTrue(kernel.formatError(e).get(0).contains("${EPOCHS}"), kernel.formatError(e).toString());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.eval("%lxmert finetune --task vqa --output $OUTPUT --eval-batch-size 0"));
        assertTrue(kernel.formatError(e).get(0).startsWith("error: %lxmert: Invalid value for option '--eval-batch-size'"),
                kernel.formatError(e).toString());
        assertFalse(Files.exists(o), "no magic ran");
        kernel.eval("%%html\n<i>$x$ costs $5</i>\n"); // text bodies: undefined names stay as written
        assertTrue(out.ofKind("display").stream().anyMatch(d -> String.valueOf(d.data().getData(MIMEType.TEXT_HTML))
                .contains("$x$ costs $5")), "html body kept");
    }
    @Test
    void chartsAndTablesRenderInCells() throws Exception {
        RecordingOutput out = new RecordingOutput();
        kernel = new JavaKernel(KernelConfig.basic(null, out));
        LxmertExtension.register(kernel);
        DisplayData chart = kernel.eval("import org.knowm.xchart.*;\n"
                + "var c = new XYChartBuilder().width(300).height(200).build();\n"
                + "c.addSeries(\"s\", new double[]{1, 2}, new double[]{3, 4});\nc");
        assertNotNull(chart.getData(MIMEType.IMAGE_PNG), "chart cell value has image/png");
        kernel.eval("import tech.tablesaw.api.*;\n"
                + "display(Table.create(\"t\", IntColumn.create(\"n\", 1, 2)));");
        DisplayData shown = out.ofKind("display").get(0).data();
        assertTrue(String.valueOf(shown.getData(MIMEType.TEXT_HTML)).contains("<table"));
        assertNotNull(shown.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void installsIntoAForeignBaseKernelLikeIJava() throws Exception {
        Notebook.find().ifPresent(Notebook::detach);
        ForeignKernel foreign = new ForeignKernel();
        NotebookSession s = LxmertExtension.install(foreign);
        try {
            assertSame(s, Notebook.current());
            assertInstanceOf(BaseKernelSession.class, s);
            DisplayData png = foreign.getRenderer().render(new XYChartBuilder().width(120).height(90).build());
            assertNotNull(png.getData(MIMEType.IMAGE_PNG), "chart renderer registered on the foreign kernel");
            PrintStream old = System.out;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            try {
                foreign.magics.applyLineMagic("lxmert", List.of("help"));
            } finally {
                System.setOut(old);
            }
            assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("finetune"));
            assertFalse(s.declareVariable("x", "String", "v"), "a foreign kernel cannot declare variables");
            assertEquals("v", Bindings.get("x"));
            assertEquals(1, Bindings.get("x", String.class).length(), "typed accessor");
            ClassCastException wrongType = assertThrows(ClassCastException.class, () -> Bindings.get("x", Integer.class));
            assertTrue(wrongType.getMessage().contains("java.lang.String"), wrongType.getMessage());
            assertSame(s, LxmertExtension.install(foreign), "installing again keeps the session");
            assertEquals("v", Bindings.get("x"), "and its bindings");
        } finally {
            Notebook.detach(s);
        }
    }

    @Test
    void installFindsTheIJavaKernelByReflection() throws Exception {
        Notebook.find().ifPresent(Notebook::detach);
        io.github.spencerpark.ijava.IJava.setKernelInstance(null);
        IllegalStateException e = assertThrows(IllegalStateException.class, LxmertExtension::install);
        assertTrue(e.getMessage().contains("IJava.getKernelInstance() returned null"), e.getMessage());
        ForeignKernel foreign = new ForeignKernel();
        io.github.spencerpark.ijava.IJava.setKernelInstance(foreign);
        try {
            NotebookSession s = LxmertExtension.install();
            assertSame(foreign, ((BaseKernelSession) s).kernel());
            assertSame(s, Notebook.current());
            Notebook.detach(s);
        } finally {
            io.github.spencerpark.ijava.IJava.setKernelInstance(null);
        }
    }

    /** Stands in for IJava's JavaKernel: a basekernel kernel with a public getMagics(). */
    public static final class ForeignKernel extends BaseKernel {
        final Magics magics = new Magics();

        public Magics getMagics() {
            return magics;
        }

        @Override
        public DisplayData eval(String expr) {
            return null;
        }

        @Override
        public LanguageInfo getLanguageInfo() {
            return new LanguageInfo.Builder("java").build();
        }
    }
}
