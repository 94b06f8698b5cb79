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
        return encode(BitmapEncoder.getBufferedImage(chart), "chart '" + chart.getTitle() + "'");
    }

    /** The charts drawn at their own sizes one below the other, left-aligned on white, as one base64 PNG. */
    @SuppressWarnings("rawtypes")
    public static String pngBase64(java.util.List<? extends Chart> charts) {
        java.util.List<BufferedImage> images = new java.util.ArrayList<>();
        for (Chart c : charts) images.add(BitmapEncoder.getBufferedImage(c));
        int w = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int h = Math.max(1, images.stream().mapToInt(BufferedImage::getHeight).sum());
        BufferedImage all = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = all.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, w, h);
        int y = 0;
        for (BufferedImage i : images) {
            g.drawImage(i, 0, y, null);
            y += i.getHeight();
        }
        g.dispose();
        return encode(all, "charts " + charts.size());
    }

    private static String encode(BufferedImage img, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode " + what + " as PNG", e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    @SuppressWarnings("rawtypes")
    private static String describe(Chart chart) {
        String title = chart.getTitle() == null || chart.getTitle().isEmpty() ? "(untitled)" : chart.getTitle();
        return chart.getClass().getSimpleName() + " " + title + " " + chart.getWidth() + "x" + chart.getHeight();
    }
}
