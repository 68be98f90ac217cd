package org.jioth.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark's results as plain data, for files: CSV (RFC 4180 quoting), JSON (an array of objects,
 * missing figures as null) and an SVG bar chart of one column, e.g. for {@code docs/benchmarks.md}.
 *
 * @param columns column names (snake_case)
 * @param rows    one list per row, aligned with the columns: String, Number or null
 */
public record BenchTable(List<String> columns, List<List<Object>> rows) {

    public BenchTable {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException("a row has " + r.size() + " values for " + columns.size() + " columns");
            }
            copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = List.copyOf(copy);
    }

    public String csv() {
        StringBuilder b = new StringBuilder(String.join(",", columns)).append('\n');
        for (List<Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (Object v : r) {
                cells.add(v == null ? "" : csvCell(format(v)));
            }
            b.append(String.join(",", cells)).append('\n');
        }
        return b.toString();
    }

    private static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    public String json() {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            b.append("  {");
            List<Object> r = rows.get(i);
            for (int c = 0; c < columns.size(); c++) {
                Object v = r.get(c);
                b.append(c == 0 ? "" : ", ").append(jsonString(columns.get(c))).append(": ")
                        .append(v == null ? "null" : v instanceof Number n ? jsonNumber(n) : jsonString(v.toString()));
            }
            b.append(i + 1 < rows.size() ? "},\n" : "}\n");
        }
        return b.append("]\n").toString();
    }

    private static String jsonNumber(Number n) {
        double d = n.doubleValue();
        return Double.isFinite(d) ? format(n) : "null";
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String format(Object v) {
        if (v instanceof Double || v instanceof Float) {
            return String.format(Locale.ROOT, "%.6g", ((Number) v).doubleValue()).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2")
                    .replaceAll("\\.(e|$)", "$1");
        }
        return v.toString();
    }

    /**
     * A horizontal bar chart of column {@code value}, one bar per row that has it, labelled with
     * the {@code label} columns joined by spaces.
     */
    public String svg(String title, String value, List<String> label) {
        int vi = columns.indexOf(value);
        if (vi < 0) {
            throw new IllegalArgumentException("no column " + value + " in " + columns);
        }
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.get(vi) instanceof Number n && Double.isFinite(n.doubleValue())) {
                List<String> parts = new ArrayList<>();
                for (String l : label) {
                    Object o = r.get(columns.indexOf(l));
                    parts.add(o == null ? "" : o.toString());
                }
                names.add(String.join(" ", parts));
                values.add(n.doubleValue());
            }
        }
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        int labelWidth = 260;
        int barWidth = 420;
        int rowHeight = 22;
        int height = 50 + rowHeight * names.size();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", labelWidth + barWidth + 110, height));
        b.append(String.format(Locale.ROOT, "  <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                xml(title + " (" + value + ")")));
        for (int i = 0; i < names.size(); i++) {
            int y = 35 + i * rowHeight;
            double w = max > 0 ? values.get(i) / max * barWidth : 0;
            b.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelWidth - 8, y + 14, xml(names.get(i))));
            b.append(String.format(Locale.ROOT, "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#4a7ebb\"/>%n",
                    labelWidth, y + 2, w, rowHeight - 6));
            b.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%d\">%s</text>%n", labelWidth + w + 6, y + 14,
                    xml(format(values.get(i)))));
        }
        return b.append("</svg>\n").toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
