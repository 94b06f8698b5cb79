package lxmert.kernel.render;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class RenderersTest {
    private final Renderer renderer = new Renderer();

    RenderersTest() {
        Renderers.registerAll(renderer);
    }

    private static BufferedImage png(DisplayData d) throws Exception {
        Object b64 = d.getData(MIMEType.IMAGE_PNG);
        assertNotNull(b64, "no image/png");
        byte[] bytes = Base64.getDecoder().decode((String) b64);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void xyChartRendersAsPngOfItsSize() throws Exception {
        XYChart chart = new XYChartBuilder().width(420).height(260).title("acc").build();
        chart.addSeries("valid", new double[]{1, 2, 3}, new double[]{0.3, 0.5, 0.6});
        DisplayData d = renderer.render(chart);
        BufferedImage img = png(d);
        assertEquals(420, img.getWidth());
        assertEquals(260, img.getHeight());
        assertTrue(String.valueOf(d.getData(MIMEType.TEXT_PLAIN)).contains("acc"));
    }

    @Test
    void otherChartKindsRenderToo() throws Exception {
        var chart = new CategoryChartBuilder().width(300).height(200).build();
        chart.addSeries("n", java.util.List.of("yes", "no"), java.util.List.of(3, 5));
        assertEquals(300, png(renderer.render(chart)).getWidth());
    }

    @Test
    void tableRendersAsHtmlWithPlainTextFallback() {
        Table t = Table.create("by type",
                StringColumn.create("type", "what <color>", "how many"),
                DoubleColumn.create("acc", 0.5, 0.25));
        DisplayData d = renderer.render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertNotNull(html, "no text/html");
        assertTrue(html.startsWith("<table"), html);
        assertTrue(html.contains("<caption>by type</caption>"));
        assertTrue(html.contains("<thead><tr><th>type</th><th>acc</th></tr></thead>"), "the table's columns only, no row numbers: " + html);
        assertTrue(html.contains("<tr><td>what &lt;color&gt;</td>"), html);
        assertTrue(html.contains("what &lt;color&gt;"), "cells are escaped: " + html);
        assertTrue(html.contains("2 rows &times; 2 columns"));
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.contains("how many") && text.contains("0.25"), text);
    }

    @Test
    void longTablesShowHeadAndTail() {
        Table t = Table.create("long", IntColumn.create("i", IntStream.range(0, 100).toArray()));
        String html = TableRenderer.html(t);
        int rows = html.split("<tr>", -1).length - 1;
        assertEquals(1 + TableRenderer.MAX_ROWS + 1, rows, "header + shown rows + ellipsis row");
        String cell = "<td style=\"text-align:right\">";
        assertTrue(html.contains(cell + "0</td>") && html.contains(cell + "99</td>") && !html.contains(cell + "50</td>"), html);
        assertFalse(html.contains("<th>0</th>"), "no row-number column: " + html);
        assertTrue(html.contains((100 - TableRenderer.MAX_ROWS) + " more rows"));
    }
}
