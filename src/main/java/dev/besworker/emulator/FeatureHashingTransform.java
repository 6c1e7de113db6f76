package dev.besworker.emulator;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * The emulated experiment as a streaming table transform: reads a delimited text table with a
 * header row, keeps every column in order and appends {@code <column>_HashingFeature.0 .. 2^bits-1}
 * computed by {@link FeatureHasher} from the text column. One row is held in memory at a time.
 * <p>
 * Input: RFC 4180 CSV (comma, or tab for {@code .tsv}); a leading UTF-8 BOM is ignored; empty
 * lines are skipped; every row must have as many fields as the header. Output: RFC 4180 CSV with
 * CRLF line ends, TSV, or ARFF. Problems surface as {@link ModuleException} naming the blob, the
 * line and the fix.
 */
public final class FeatureHashingTransform {

    /** The output table format, chosen from the output blob's extension. */
    public enum OutputFormat {
        /** Comma separated, RFC 4180 quoting, CRLF line ends. */
        CSV,
        /** Tab separated, quoting as CSV where needed, CRLF line ends. */
        TSV,
        /** Weka ARFF: string attributes for the kept columns, numeric for the features. */
        ARFF;

        /** The format for a blob name by extension ({@code .tsv}, {@code .arff}, else CSV). */
        public static OutputFormat forBlobName(String blobName) {
            String lower = blobName.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".tsv")) {
                return TSV;
            }
            return lower.endsWith(".arff") ? ARFF : CSV;
        }
    }

    /** What a transform did. */
    public record Summary(List<String> outputColumns, long rows) {
    }

    private static final String[] SMALL_NUMBERS = new String[256];

    static {
        for (int i = 0; i < SMALL_NUMBERS.length; i++) {
            SMALL_NUMBERS[i] = Integer.toString(i);
        }
    }

    private final String column;
    private final FeatureHasher hasher;

    /**
     * @param column the text column to hash, matched exactly (case-sensitive) against the header
     * @param bits   1..{@link FeatureHasher#MAX_DENSE_BITS}
     * @param ngrams 1 or 2
     */
    public FeatureHashingTransform(String column, int bits, int ngrams) {
        if (bits > FeatureHasher.MAX_DENSE_BITS) {
            throw new IllegalArgumentException("bits must be at most " + FeatureHasher.MAX_DENSE_BITS
                    + " to write one column per feature, was " + bits);
        }
        this.column = column;
        this.hasher = new FeatureHasher(bits, ngrams);
    }

    /** The hashed column's name. */
    public String column() {
        return column;
    }

    /** The hasher. */
    public FeatureHasher hasher() {
        return hasher;
    }

    /** The output header for an input header: the input columns, then the feature columns. */
    public List<String> outputColumns(List<String> inputColumns) {
        List<String> out = new ArrayList<>(inputColumns);
        out.addAll(featureColumns());
        return out;
    }

    /** {@code <column>_HashingFeature.0 .. 2^bits-1}. */
    public List<String> featureColumns() {
        int dimension = hasher.dimension();
        List<String> out = new ArrayList<>(dimension);
        for (int i = 0; i < dimension; i++) {
            out.add(column + "_HashingFeature." + i);
        }
        return out;
    }

    /**
     * Streams the table from {@code input} to {@code output}.
     *
     * @param input          the table; the caller buffers it and closes it
     * @param delimiter      the input field delimiter
     * @param output         where the result goes; the caller buffers it, flushes and closes it
     * @param format         the output format
     * @param source         the input's name for messages, e.g. {@code container/blob.csv}
     * @param stopRequested  polled every few thousand rows; when true the transform stops and
     *                       throws {@link java.util.concurrent.CancellationException}
     * @throws ModuleException when the input is not a usable table
     */
    public Summary transform(Reader input, char delimiter, Writer output, OutputFormat format, String source,
            BooleanSupplier stopRequested) throws IOException {
        CSVFormat inputFormat = CSVFormat.DEFAULT.builder()
                .setDelimiter(delimiter)
                .setHeader()
                .setSkipHeaderRecord(true)
                .setAllowMissingColumnNames(true)
                .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL)
                .get();
        Reader unmarked = skipBom(input);
        CSVParser parser;
        try {
            parser = CSVParser.builder().setReader(unmarked).setFormat(inputFormat).get();
        }
        catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException ex) {
            throw parseError(source, 1, ex);
        }
        List<String> header = parser.getHeaderNames();
        if (header.isEmpty()) {
            throw new ModuleException("Reader", "0018", 400, "Input \"" + source
                    + "\" is empty or has no header row. Fix: the first line must name the columns, e.g. \""
                    + column + "\".");
        }
        int textIndex = header.indexOf(column);
        if (textIndex < 0) {
            throw new ModuleException("Feature Hashing", "0001", 400, "Column with name \"" + column
                    + "\" not found in input \"" + source + "\" (columns: " + String.join(", ", header)
                    + "). Fix: add a header column named exactly \"" + column + "\" (case-sensitive).");
        }
        List<String> outputColumns = outputColumns(header);
        TableWriter writer = TableWriter.of(format, output, outputColumns, header.size());
        int[] counts = new int[hasher.dimension()];
        int width = header.size();
        long rows = 0;
        var iterator = parser.iterator();
        while (true) {
            CSVRecord record;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                record = iterator.next();
            }
            catch (UncheckedIOException | IllegalStateException | IllegalArgumentException ex) {
                throw parseError(source, parser.getCurrentLineNumber() + 1, ex);
            }
            if (record.size() != width) {
                throw new ModuleException("Reader", "0008", 400, "Input \"" + source + "\" line "
                        + parser.getCurrentLineNumber() + " has " + record.size() + " fields but the header has "
                        + width + ". Fix: give every row as many fields as the header (quote values that hold the delimiter).");
            }
            if ((++rows & 4095) == 0 && stopRequested.getAsBoolean()) {
                throw new java.util.concurrent.CancellationException("transform stopped");
            }
            java.util.Arrays.fill(counts, 0);
            hasher.addFeatures(record.get(textIndex), counts);
            writer.row(record, counts);
        }
        writer.finish();
        return new Summary(outputColumns, rows);
    }

    private static ModuleException parseError(String source, long line, Exception ex) {
        Throwable cause = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        return new ModuleException("Reader", "1000", 400, "Cannot parse input \"" + source + "\" as CSV near line "
                + line + ": " + cause.getMessage() + ". Fix: check quoting (a quoted field must end with a quote"
                + " followed by the delimiter or the line end).");
    }

    private static Reader skipBom(Reader input) throws IOException {
        java.io.PushbackReader pushback = new java.io.PushbackReader(input, 1);
        int first = pushback.read();
        if (first != -1 && first != '\ufeff') {
            pushback.unread(first);
        }
        return pushback;
    }

    static String number(int value) {
        return value < SMALL_NUMBERS.length ? SMALL_NUMBERS[value] : Integer.toString(value);
    }

    /** Writes rows in one output format. */
    private abstract static class TableWriter {

        static TableWriter of(OutputFormat format, Writer out, List<String> columns, int kept) throws IOException {
            return switch (format) {
                case CSV -> new Delimited(out, CSVFormat.DEFAULT, columns);
                case TSV -> new Delimited(out, CSVFormat.DEFAULT.builder().setDelimiter('\t').get(), columns);
                case ARFF -> new Arff(out, columns, kept);
            };
        }

        abstract void row(CSVRecord record, int[] counts) throws IOException;

        void finish() throws IOException {
        }
    }

    private static final class Delimited extends TableWriter {
        private final Writer out;
        private final CSVFormat format;
        private final char delimiter;

        Delimited(Writer out, CSVFormat format, List<String> columns) throws IOException {
            this.out = out;
            this.format = format;
            this.delimiter = format.getDelimiterString().charAt(0);
            for (int i = 0; i < columns.size(); i++) {
                format.print(columns.get(i), out, i == 0);
            }
            out.write("\r\n");
        }

        @Override
        void row(CSVRecord record, int[] counts) throws IOException {
            int size = record.size();
            for (int i = 0; i < size; i++) {
                format.print(record.get(i), out, i == 0);
            }
            for (int count : counts) {
                out.write(delimiter);
                out.write(number(count));
            }
            out.write("\r\n");
        }
    }

    private static final class Arff extends TableWriter {
        private final Writer out;

        Arff(Writer out, List<String> columns, int kept) throws IOException {
            this.out = out;
            out.write("@RELATION output1\n\n");
            for (int i = 0; i < columns.size(); i++) {
                out.write("@ATTRIBUTE " + quote(columns.get(i)) + (i < kept ? " STRING\n" : " NUMERIC\n"));
            }
            out.write("\n@DATA\n");
        }

        @Override
        void row(CSVRecord record, int[] counts) throws IOException {
            int size = record.size();
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(quote(record.get(i)));
            }
            for (int count : counts) {
                out.write(',');
                out.write(number(count));
            }
            out.write('\n');
        }

        private static String quote(String value) {
            StringBuilder b = new StringBuilder(value.length() + 2).append('\'');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\'' -> b.append("\\'");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> b.append(c);
                }
            }
            return b.append('\'').toString();
        }
    }
}
