package dev.besworker.emulator;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;


/**
 * The emulated experiment as a streaming table transform: reads a delimited text table with a
 * header row, keeps every column in order and appends {@code <column>_HashingFeature.0 .. 2^bits-1}
 * computed by {@link FeatureHasher} from the text column. One row is held in memory at a time.
 * <p>
 * Input: RFC 4180 CSV (comma, or tab for {@code .tsv}); a leading UTF-8 BOM is ignored; empty
 * lines are skipped; every row must have as many fields as the header. Output: RFC 4180 CSV with
 * CRLF line ends, TSV, or ARFF. Problems surface as {@link ModuleException} naming the blob, the
 * line and the fix.
 * <p>
 * Each call parses on a helper daemon thread ({@code feature-hashing-reader}) while the calling
 * thread hashes and writes, so a transform runs close to the bare parsing rate on
 * two or more cores. The rows are read by {@link CsvRows} into reused batches, as Commons CSV's
 * {@code DEFAULT} format reads them, without an object per row or field. Instances are
 * immutable and may be shared.
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
        Reader unmarked = skipBom(input);
        CsvRows parser = new CsvRows(unmarked, delimiter);
        List<String> header;
        try {
            header = parser.header();
        }
        catch (CsvRows.Malformed ex) {
            throw parseError(source, ex.line, ex);
        }
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
        CharSink sink = new CharSink(output);
        TableWriter writer = TableWriter.of(format, sink, outputColumns, header.size());
        int[] counts = new int[hasher.dimension()];
        Field field = new Field();
        int width = header.size();
        long rows = 0;
        // Two stages on two threads: a reader parses (and downloads) batches of rows while this
        // thread hashes and writes the previous ones; parsing alone costs about as much as
        // hashing and writing together, so the pair runs near the bare parsing rate.
        BatchReader reader = new BatchReader(parser, width, source);
        Thread readerThread = new Thread(reader, "feature-hashing-reader");
        readerThread.setDaemon(true);
        readerThread.start();
        try {
            while (true) {
                Object item = reader.queue.take();
                if (item == BatchReader.END) {
                    break;
                }
                if (item instanceof RuntimeException failure) {
                    throw failure;
                }
                if (stopRequested.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("transform stopped");
                }
                CsvRows.Rows batch = (CsvRows.Rows) item;
                field.chars = batch.chars;
                for (int r = 0; r < batch.size; r++) {
                    java.util.Arrays.fill(counts, 0);
                    for (int i = 0; i < width; i++) {
                        field.offset = batch.start(r, i);
                        field.length = batch.length(r, i);
                        if (i == textIndex) {
                            hasher.addFeatures(field.chars, field.offset, field.offset + field.length, counts);
                        }
                        writer.field(field, i);
                    }
                    writer.endRow(counts);
                }
                rows += batch.size;
                reader.free.offer(batch);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("transform interrupted");
        }
        finally {
            reader.stop = true;
        }
        writer.finish();
        sink.flush();
        return new Summary(outputColumns, rows);
    }

    /** Parses batches of rows on its own thread; a failure travels down the queue as the exception. */
    private static final class BatchReader implements Runnable {
        static final int ROWS = 1024;
        static final int CHARS = 1 << 20;
        static final int BATCHES = 6;
        static final Object END = new Object();

        final java.util.concurrent.BlockingQueue<Object> queue = new java.util.concurrent.ArrayBlockingQueue<>(4);
        /** Batches the writer is done with, to be filled again: no batch is allocated per batch. */
        final java.util.concurrent.BlockingQueue<CsvRows.Rows> free = new java.util.concurrent.ArrayBlockingQueue<>(BATCHES);
        volatile boolean stop;
        private final CsvRows parser;
        private final int width;
        private final String source;
        private int allocated;

        BatchReader(CsvRows parser, int width, String source) {
            this.parser = parser;
            this.width = width;
            this.source = source;
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    CsvRows.Rows batch = nextFree();
                    if (batch == null) {
                        return;
                    }
                    boolean more;
                    try {
                        more = parser.next(batch, CHARS);
                    }
                    catch (CsvRows.Malformed ex) {
                        throw parseError(source, ex.line, ex);
                    }
                    catch (CsvRows.Ragged ex) {
                        throw new ModuleException("Reader", "0008", 400, "Input \"" + source + "\" line "
                                + ex.line + " has " + ex.fields + " fields but the header has " + width
                                + ". Fix: give every row as many fields as the header (quote values that hold the delimiter).");
                    }
                    catch (java.io.IOException ex) {
                        // A failing input stream (the blob download), not bad CSV.
                        throw new UncheckedIOException(ex);
                    }
                    if (more) {
                        put(batch);
                    }
                    if (!more || batch.size < batch.capacity && batch.used < CHARS) {
                        break;
                    }
                }
                put(END);
            }
            catch (RuntimeException ex) {
                put(ex);
            }
        }

        private CsvRows.Rows nextFree() {
            if (allocated < BATCHES) {
                allocated++;
                return new CsvRows.Rows(width, ROWS);
            }
            try {
                while (!stop) {
                    CsvRows.Rows batch = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (batch != null) {
                        return batch;
                    }
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return null;
        }

        private void put(Object item) {
            try {
                while (!stop) {
                    if (queue.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ModuleException parseError(String source, long line, Exception ex) {
        Throwable cause = ex;
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

    /** One field: a range of characters of a reused array (no allocation per field). */
    private static final class Field {
        char[] chars = new char[256];
        int offset;
        int length;

        /** Copies a string in (the header's names). */
        void load(String value) {
            offset = 0;
            length = value.length();
            if (length > chars.length) {
                chars = new char[Math.max(length, chars.length * 2)];
            }
            value.getChars(0, length, chars, 0);
        }
    }

    /** An unsynchronised output buffer: BufferedWriter takes a lock on every call, which shows at this rate. */
    private static final class CharSink {
        private final Writer out;
        private final char[] buffer = new char[1 << 16];
        private int position;

        CharSink(Writer out) {
            this.out = out;
        }

        void put(char c) throws IOException {
            if (position == buffer.length) {
                flush();
            }
            buffer[position++] = c;
        }

        void put(char[] chars, int from, int length) throws IOException {
            if (length > buffer.length - position) {
                flush();
                if (length > buffer.length) {
                    out.write(chars, from, length);
                    return;
                }
            }
            System.arraycopy(chars, from, buffer, position, length);
            position += length;
        }

        void put(String text) throws IOException {
            int length = text.length();
            if (length > buffer.length - position) {
                flush();
                if (length > buffer.length) {
                    out.write(text);
                    return;
                }
            }
            text.getChars(0, length, buffer, position);
            position += length;
        }

        void putCount(int count) throws IOException {
            if (count < 10) {
                put((char) ('0' + count));
            }
            else {
                put(number(count));
            }
        }

        void flush() throws IOException {
            if (position > 0) {
                out.write(buffer, 0, position);
                position = 0;
            }
        }
    }

    /** Writes rows in one output format. */
    private abstract static class TableWriter {

        static TableWriter of(OutputFormat format, CharSink out, List<String> columns, int kept) throws IOException {
            return switch (format) {
                case CSV -> new Delimited(out, ',', columns);
                case TSV -> new Delimited(out, '\t', columns);
                case ARFF -> new Arff(out, columns, kept);
            };
        }

        abstract void field(Field field, int index) throws IOException;

        abstract void endRow(int[] counts) throws IOException;

        void finish() throws IOException {
        }
    }

    /**
     * RFC 4180 output with CRLF line ends. A field is quoted (quotes doubled) when it holds the
     * delimiter, a quote, CR or LF, starts or ends with a space or tab, or starts a record with
     * '#'; every record has at least two fields, so an empty field needs no quotes.
     */
    private static final class Delimited extends TableWriter {
        private final CharSink out;
        private final char delimiter;

        Delimited(CharSink out, char delimiter, List<String> columns) throws IOException {
            this.out = out;
            this.delimiter = delimiter;
            Field field = new Field();
            for (int i = 0; i < columns.size(); i++) {
                field.load(columns.get(i));
                field(field, i);
            }
            out.put('\r');
            out.put('\n');
        }

        @Override
        void field(Field field, int index) throws IOException {
            if (index > 0) {
                out.put(delimiter);
            }
            char[] chars = field.chars;
            int from = field.offset;
            int length = field.length;
            int end = from + length;
            boolean quote = length > 0 && (chars[from] == ' ' || chars[from] == '\t' || chars[end - 1] == ' '
                    || chars[end - 1] == '\t' || (index == 0 && chars[from] == '#'));
            int quotes = 0;
            for (int i = from; i < end; i++) {
                char c = chars[i];
                if (c > '"' && c != delimiter) {
                    continue;
                }
                if (c == '"') {
                    quotes++;
                    quote = true;
                }
                else if (c == delimiter || c == '\n' || c == '\r') {
                    quote = true;
                }
            }
            if (!quote) {
                out.put(chars, from, length);
                return;
            }
            out.put('"');
            if (quotes == 0) {
                out.put(chars, from, length);
            }
            else {
                for (int i = from; i < end; i++) {
                    if (chars[i] == '"') {
                        out.put('"');
                    }
                    out.put(chars[i]);
                }
            }
            out.put('"');
        }

        @Override
        void endRow(int[] counts) throws IOException {
            for (int count : counts) {
                out.put(delimiter);
                out.putCount(count);
            }
            out.put('\r');
            out.put('\n');
        }
    }

    private static final class Arff extends TableWriter {
        private final CharSink out;

        Arff(CharSink out, List<String> columns, int kept) throws IOException {
            this.out = out;
            out.put("@RELATION output1\n\n");
            for (int i = 0; i < columns.size(); i++) {
                out.put("@ATTRIBUTE " + quote(columns.get(i)) + (i < kept ? " STRING\n" : " NUMERIC\n"));
            }
            out.put("\n@DATA\n");
        }

        @Override
        void field(Field field, int index) throws IOException {
            if (index > 0) {
                out.put(',');
            }
            out.put(quote(new String(field.chars, field.offset, field.length)));
        }

        @Override
        void endRow(int[] counts) throws IOException {
            for (int count : counts) {
                out.put(',');
                out.putCount(count);
            }
            out.put('\n');
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
