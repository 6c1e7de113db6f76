package dev.besworker.emulator;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads RFC 4180 records from a {@link Reader} into reused arrays: the header as strings, the
 * data rows as character ranges of a {@link Rows} batch, so that a big table is read without an
 * object per row or per field (Commons CSV made a string per field, a list and an array per row:
 * about 2.6 bytes of garbage per byte of input, most of what the emulator allocated).
 * <p>
 * It reads as Commons CSV's {@code DEFAULT} format reads (the format the emulator used before):
 * CR, LF and CRLF end a record; empty lines are skipped; a quote opens a quoted field only as
 * the field's first character; {@code ""} inside a quoted field is a quote; after the closing
 * quote only whitespace may come before the delimiter or the line end; anywhere else a quote is
 * data. Line numbers count line breaks read, as Commons CSV counts them. Not thread-safe.
 */
final class CsvRows {

    /** Bad CSV at a line (a parse error in Commons CSV's words). */
    static final class Malformed extends Exception {
        final long line;

        Malformed(long line, String message) {
            super(message, null, false, false);
            this.line = line;
        }
    }

    /** A record with another number of fields than the header's. */
    static final class Ragged extends Exception {
        final long line;
        final int fields;

        Ragged(long line, int fields) {
            super("ragged record", null, false, false);
            this.line = line;
            this.fields = fields;
        }
    }

    /**
     * Up to {@code capacity} rows of {@code width} fields: field {@code i} of row {@code r} is
     * {@code chars[start(r, i) .. start(r, i) + length(r, i)]}. Reused batch after batch.
     */
    static final class Rows {
        final int width;
        final int capacity;
        char[] chars = new char[1 << 16];
        final int[] starts;
        final int[] lengths;
        int size;
        int used;

        Rows(int width, int capacity) {
            this.width = width;
            this.capacity = capacity;
            this.starts = new int[width * capacity];
            this.lengths = new int[width * capacity];
        }

        int start(int row, int field) {
            return starts[row * width + field];
        }

        int length(int row, int field) {
            return lengths[row * width + field];
        }

        void clear() {
            size = 0;
            used = 0;
        }

        private void put(char c) {
            if (used == chars.length) {
                chars = Arrays.copyOf(chars, chars.length * 2);
            }
            chars[used++] = c;
        }
    }

    private static final int EOF = -1;
    private static final int NONE = -2;

    private final Reader in;
    private final char delimiter;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    private boolean ended;
    /** Line breaks read so far (CRLF is one). */
    private long eols;
    private int lastChar = -2;
    /** The character read before {@link #lastChar}: tells the LF of a CRLF inside quotes. */
    private int lastBeforeCurrent = -2;

    CsvRows(Reader in, char delimiter) {
        this.in = in;
        this.delimiter = delimiter;
    }

    /** Line breaks read so far, as Commons CSV's {@code getCurrentLineNumber()} after a record. */
    long line() {
        return eols;
    }

    /** The first record as strings; empty when the input holds no record. */
    List<String> header() throws IOException, Malformed {
        Rows one = new Rows(1, 1);
        List<String> names = new ArrayList<>();
        if (!skipEmptyLines()) {
            return names;
        }
        while (true) {
            int from = one.used;
            int end = field(one);
            names.add(new String(one.chars, from, one.used - from));
            if (end != delimiter) {
                return names;
            }
        }
    }

    /**
     * Reads rows into {@code rows} (cleared first) until it holds {@code rows.capacity} rows or
     * about {@code charLimit} characters, or the input ends.
     *
     * @return whether any row was read
     */
    boolean next(Rows rows, int charLimit) throws IOException, Malformed, Ragged {
        rows.clear();
        while (rows.size < rows.capacity && rows.used < charLimit && skipEmptyLines()) {
            int base = rows.size * rows.width;
            int fields = 0;
            while (true) {
                int from = rows.used;
                int end = field(rows);
                if (fields < rows.width) {
                    rows.starts[base + fields] = from;
                    rows.lengths[base + fields] = rows.used - from;
                }
                else {
                    rows.used = from; // beyond the header's width: only counted
                }
                fields++;
                if (end != delimiter) {
                    break;
                }
            }
            if (fields != rows.width) {
                throw new Ragged(eols, fields);
            }
            rows.size++;
        }
        return rows.size > 0;
    }

    /** Skips empty lines; false at the end of the input. */
    private boolean skipEmptyLines() throws IOException {
        while (true) {
            int c = peek();
            if (c == EOF) {
                return false;
            }
            if (c != '\r' && c != '\n') {
                return true;
            }
            read();
            endOfLine(c);
        }
    }

    /**
     * Reads one field into {@code rows.chars}; returns what ended it: the delimiter, '\n' for a
     * line end (any of CR, LF, CRLF, consumed) or {@link #EOF}.
     */
    private int field(Rows rows) throws IOException, Malformed {
        int c = read();
        if (c == '"') {
            return quoted(rows);
        }
        while (true) {
            int end = fieldEnd(c);
            if (end != NONE) {
                return end;
            }
            rows.put((char) c);
            c = read();
        }
    }

    private int quoted(Rows rows) throws IOException, Malformed {
        long startLine = eols + 1;
        while (true) {
            int c = read();
            if (c == EOF) {
                throw new Malformed(startLine, "EOF reached before encapsulated token finished");
            }
            if (c == '"') {
                if (peek() == '"') {
                    read();
                    rows.put('"');
                    continue;
                }
                break;
            }
            if (c == '\r' || c == '\n') {
                countLineBreak(c);
            }
            rows.put((char) c);
        }
        while (true) {
            int c = read();
            int end = fieldEnd(c);
            if (end != NONE) {
                return end;
            }
            if (!Character.isWhitespace((char) c)) {
                throw new Malformed(eols + 1, "Invalid character between encapsulated token and delimiter");
            }
        }
    }

    /**
     * What {@code c} ends a field with: the delimiter, '\n' for a line end (consumed, with the LF
     * of a CRLF) or {@link #EOF}; {@link #NONE} when it is no end.
     */
    private int fieldEnd(int c) throws IOException {
        if (c == delimiter) {
            return delimiter;
        }
        if (c == '\r' || c == '\n') {
            endOfLine(c);
            return '\n';
        }
        return c == EOF ? EOF : NONE;
    }

    /** Counts a line end that ends a record, consuming the LF of a CRLF. */
    private void endOfLine(int c) throws IOException {
        if (c == '\r' && peek() == '\n') {
            read();
        }
        eols++;
    }

    /** Counts a line break inside a quoted field (CRLF once). */
    private void countLineBreak(int c) {
        if (c == '\r' || lastBeforeCurrent != '\r') {
            eols++;
        }
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            lastBeforeCurrent = lastChar;
            lastChar = EOF;
            return EOF;
        }
        lastBeforeCurrent = lastChar;
        lastChar = buffer[position++];
        return lastChar;
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position];
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            ended = n < 0;
            limit = position = 0;
            return n > 0;
        }
        position = 0;
        limit = n;
        return true;
    }
}
