package lxmert.kernel.render;

import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import tech.tablesaw.api.Table;

/**
 * Renders Tablesaw tables as {@code text/html} (a plain HTML table of the table's own columns, no row numbers, at
 * most {@link #MAX_ROWS} rows: the first rows and the last ones with an ellipsis row between) with a
 * {@code text/plain} fallback (Tablesaw's own print).
 */
public final class TableRenderer {
    /** Rows shown at most; longer tables show the first and last halves. */
    public static final int MAX_ROWS = 40;

    private TableRenderer() {
    }

    /** Registers the table renderer on {@code renderer}. */
    public static void register(Renderer renderer) {
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
                .register(TableRenderer::render);
    }

    private static void render(Table table, RenderContext ctx) {
        ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(table));
        ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> table.print(MAX_ROWS));
    }

    /** The table as an HTML fragment (escaped, numbers right-aligned). */
    public static String html(Table table) {
        StringBuilder sb = new StringBuilder();
        sb.append("<table class=\"lxmert-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            sb.append("<caption>").append(escape(table.name())).append("</caption>");
        }
        // no row-number column: the tables carry their own keys (epoch, id, ...), and a 0-based index beside a
        // 1-based epoch read as two different counts
        sb.append("<thead><tr>");
        for (String name : table.columnNames()) sb.append("<th>").append(escape(name)).append("</th>");
        sb.append("</tr></thead><tbody>");
        int n = table.rowCount();
        int head = n <= MAX_ROWS ? n : MAX_ROWS / 2;
        for (int r = 0; r < head; r++) row(sb, table, r);
        if (n > MAX_ROWS) {
            sb.append("<tr><td colspan=\"").append(table.columnCount())
                    .append("\">&#8942; ").append(n - MAX_ROWS).append(" more rows</td></tr>");
            for (int r = n - (MAX_ROWS - head); r < n; r++) row(sb, table, r);
        }
        sb.append("</tbody></table>");
        sb.append("<p><small>").append(n).append(" rows &times; ").append(table.columnCount())
                .append(" columns</small></p>");
        return sb.toString();
    }

    private static void row(StringBuilder sb, Table t, int r) {
        sb.append("<tr>");
        for (int c = 0; c < t.columnCount(); c++) {
            boolean numeric = t.column(c) instanceof tech.tablesaw.api.NumericColumn;
            sb.append(numeric ? "<td style=\"text-align:right\">" : "<td>")
                    .append(escape(t.getString(r, c))).append("</td>");
        }
        sb.append("</tr>");
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
