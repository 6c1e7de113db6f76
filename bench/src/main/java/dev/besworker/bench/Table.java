package dev.besworker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one results table: each figure, its baseline beside it, the ratio, and the target with PASS/FAIL. */
final class Table {

    /** A row; empty strings leave cells blank. */
    record Row(String area, String figure, String value, String baseline, String baselineValue, String ratio,
            String target, String result) {
    }

    private final List<Row> rows = new ArrayList<>();
    private int failures;
    private int passes;

    synchronized void add(String area, String figure, String value, String baseline, String baselineValue, String ratio,
            String target, Boolean pass) {
        String result = pass == null ? "" : pass ? "PASS" : "FAIL";
        if (pass != null) {
            if (pass) {
                passes++;
            }
            else {
                failures++;
            }
        }
        rows.add(new Row(area, figure, value, baseline, baselineValue, ratio, target, result));
    }

    /** A figure without a baseline or a target (a breakdown line). */
    void info(String area, String figure, String value) {
        add(area, figure, value, "", "", "", "", null);
    }

    /** A figure that could not be measured, with the reason in the value cell. */
    void missing(String area, String figure, String why, String target) {
        add(area, figure, "n/a (" + why + ")", "", "", "", target, false);
    }

    synchronized int failures() {
        return failures;
    }

    synchronized int passes() {
        return passes;
    }

    /** GitHub-flavoured Markdown, columns padded so it also reads as plain text. */
    synchronized String render() {
        String[] header = { "Case", "Figure", "Measured", "Baseline", "Baseline value", "Ratio", "Target", "Result" };
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Row r : rows) {
            cells.add(new String[] { r.area, r.figure, r.value, r.baseline, r.baselineValue, r.ratio, r.target, r.result });
        }
        int[] width = new int[header.length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            out.append('|');
            for (int i = 0; i < width.length; i++) {
                out.append(' ').append(pad(cells.get(r)[i], width[i])).append(" |");
            }
            out.append('\n');
            if (r == 0) {
                out.append('|');
                for (int w : width) {
                    out.append('-').append("-".repeat(w)).append("-|");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }

    static String seconds(double s) {
        return String.format(Locale.ROOT, s < 10 ? "%.2f s" : "%.1f s", s);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    static String mb(long kb) {
        return String.format(Locale.ROOT, "%d MB", Math.round(kb * 1024 / 1e6));
    }

    static String rate(double perSecond, String unit) {
        return String.format(Locale.ROOT, perSecond >= 100 ? "%,.0f %s" : "%.1f %s", perSecond, unit);
    }
}
