package lxmert.kernel.render;

import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Renders every XChart chart ({@code XYChart}, {@code CategoryChart}, ...) as {@code image/png}. */
public final class ChartRenderer {
    private ChartRenderer() {
    }

    /** Registers the chart renderer on {@code renderer}. */
    public static void register(Renderer renderer) {
        renderer.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.IMAGE_PNG)
                .register(ChartRenderer::render);
    }

    @SuppressWarnings("rawtypes")
    private static void render(Chart chart, RenderContext ctx) {
        ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> pngBase64(chart));
        ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describe(chart));
    }

    /** The chart drawn at its own size, as base64 PNG (what Jupyter's {@code image/png} holds). */
    @SuppressWarnings("rawtypes")
    public static String pngBase64(Chart chart) {
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode chart '" + chart.getTitle() + "' as PNG", e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @SuppressWarnings("rawtypes")
    private static String describe(Chart chart) {
        String title = chart.getTitle() == null || chart.getTitle().isEmpty() ? "(untitled)" : chart.getTitle();
        return chart.getClass().getSimpleName() + " " + title + " " + chart.getWidth() + "x" + chart.getHeight();
    }
}
