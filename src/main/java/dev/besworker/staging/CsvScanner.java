package dev.besworker.staging;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A one-pass RFC 4180 checker over raw bytes, fed in chunks: it validates UTF-8, tracks physical
 * lines, quotes, fields per record and record sizes without decoding or buffering the data. Only
 * the header record is kept and handed to Commons CSV to be split into names.
 * <p>
 * Why bytes and not a decoding {@code Reader} into Commons CSV: the structural characters (quote,
 * delimiter, CR, LF) are ASCII, and in UTF-8 ASCII bytes never occur inside a multi-byte
 * sequence, so the structure can be read from the bytes directly. That is several times faster
 * than decoding and building a record object per row, and every position is exact: a reader-based
 * parser reads ahead, so the line of a decoding error is not the line it is parsing.
 * <p>
 * Parsing follows Commons CSV's RFC 4180 format: a quote opens a quoted field only at the start
 * of a field and is a literal character elsewhere; {@code ""} inside a quoted field is a quote;
 * after a closing quote only blanks may come before the delimiter or line end; CR, LF and CRLF
 * end a record; empty lines are skipped. Lines are counted as an editor counts them.
 * <p>
 * The first {@link #feed} must hold at least three bytes, or the whole input, so that a
 * byte-order mark can be recognised.
 */
final class CsvScanner {

    /** A rejection found by the scanner, still without the file name. */
    static final class Problem extends Exception {
        final long line;
        final String problem;
        final String fix;

        Problem(long line, String problem, String fix) {
            super(problem, null, false, false);
            this.line = line;
            this.problem = problem;
            this.fix = fix;
        }
    }

    private static final byte ORDINARY = 0;
    private static final byte DELIMITER = 1;
    private static final byte QUOTE = 2;
    private static final byte CR = 3;
    private static final byte LF = 4;
    private static final byte NUL = 5;
    private static final byte HIGH = 6;
    private static final byte BLANK = 7;

    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;
    private static final int AFTER_QUOTED = 4;

    private static final int MAX_NAMES_SHOWN = 20;

    private final InputRules rules;
    private final char delimiter;
    private final long maxRecordBytes;
    /** Byte classes for every state but QUOTED. */
    private final byte[] classes = new byte[256];
    /** Byte classes inside an unquoted field, where quotes and blanks are plain data. */
    private final byte[] unquotedClasses = new byte[256];
    /** Byte classes inside a quoted field, where the delimiter and blanks are plain data. */
    private final byte[] quotedClasses = new byte[256];

    private long pos;
    private long line = 1;
    private byte lastByte;
    private int state = FIELD_START;

    private boolean inRecord;
    private long recordStart;
    private long recordLine;
    private long fields;
    private long quoteLine;

    private int utfNeed;
    private int utfLow;
    private int utfHigh;
    /** Where the current multi-byte character started, and its bytes so far: for the message. */
    private long utfStart;
    private int utfSeen;
    private int utfSeenCount;

    private byte[] headerBytes = new byte[256];
    private int headerLength;
    private List<String> header;
    private long headerLine;
    private long dataRows;

    CsvScanner(InputRules rules) {
        this.rules = rules;
        this.delimiter = rules.delimiter();
        this.maxRecordBytes = rules.maxRecordBytes();
        for (byte[] table : List.of(classes, unquotedClasses, quotedClasses)) {
            for (int b = 0x80; b < 0x100; b++) {
                table[b] = HIGH;
            }
            table[0] = NUL;
            table['\r'] = CR;
            table['\n'] = LF;
        }
        classes['"'] = QUOTE;
        quotedClasses['"'] = QUOTE;
        classes[' '] = BLANK;
        classes['\t'] = BLANK;
        classes[delimiter] = DELIMITER;
        unquotedClasses[delimiter] = DELIMITER;
    }

    /** Scans the next chunk of the input. */
    void feed(byte[] buffer, int offset, int length) throws Problem {
        int i = offset;
        int end = offset + length;
        if (pos == 0 && length > 0) {
            i = skipByteOrderMark(buffer, offset, end);
        }
        long base = pos - offset;
        int captureFrom = header == null && inRecord ? i : -1;
        if (utfNeed > 0) {
            i = continueUtf8(buffer, i, end, base);
        }
        while (i < end) {
            if (!inRecord) {
                int k = classes[buffer[i] & 0xFF];
                if (k == CR || k == LF) {
                    countLineBreak(buffer, i, offset);
                    i++;
                    continue;
                }
                startRecord(base + i);
                if (header == null) {
                    captureFrom = i;
                }
            }
            switch (state) {
                case UNQUOTED -> {
                    while (i < end && unquotedClasses[buffer[i] & 0xFF] == ORDINARY) {
                        i++;
                    }
                    if (i == end) {
                        break;
                    }
                    switch (unquotedClasses[buffer[i] & 0xFF]) {
                        case DELIMITER -> {
                            fields++;
                            state = FIELD_START;
                            i++;
                        }
                        case CR, LF -> {
                            captureFrom = recordBreak(base + i, buffer, captureFrom, i, offset);
                            i++;
                        }
                        case NUL -> throw nul(base + i);
                        case HIGH -> i = startUtf8(buffer, i, end, base);
                        default -> throw new IllegalStateException("unquoted byte class");
                    }
                }
                case QUOTED -> {
                    while (i < end && quotedClasses[buffer[i] & 0xFF] == ORDINARY) {
                        i++;
                    }
                    if (i == end) {
                        break;
                    }
                    switch (quotedClasses[buffer[i] & 0xFF]) {
                        case QUOTE -> {
                            state = QUOTE_IN_QUOTED;
                            i++;
                        }
                        case CR, LF -> {
                            countLineBreak(buffer, i, offset);
                            i++;
                        }
                        case NUL -> throw nul(base + i);
                        case HIGH -> i = startUtf8(buffer, i, end, base);
                        default -> i++;
                    }
                }
                case FIELD_START -> {
                    switch (classes[buffer[i] & 0xFF]) {
                        case QUOTE -> {
                            state = QUOTED;
                            quoteLine = line;
                            i++;
                        }
                        case DELIMITER -> {
                            fields++;
                            i++;
                        }
                        case CR, LF -> {
                            captureFrom = recordBreak(base + i, buffer, captureFrom, i, offset);
                            i++;
                        }
                        case NUL -> throw nul(base + i);
                        case HIGH -> {
                            state = UNQUOTED;
                            i = startUtf8(buffer, i, end, base);
                        }
                        default -> {
                            state = UNQUOTED;
                            i++;
                        }
                    }
                }
                case QUOTE_IN_QUOTED, AFTER_QUOTED -> {
                    byte k = classes[buffer[i] & 0xFF];
                    if (k == QUOTE && state == QUOTE_IN_QUOTED) {
                        state = QUOTED; // "" is an escaped quote
                        i++;
                    }
                    else if (k == DELIMITER) {
                        fields++;
                        state = FIELD_START;
                        i++;
                    }
                    else if (k == CR || k == LF) {
                        captureFrom = recordBreak(base + i, buffer, captureFrom, i, offset);
                        i++;
                    }
                    else if (k == BLANK) {
                        state = AFTER_QUOTED;
                        i++;
                    }
                    else {
                        throw strayAfterQuote(buffer[i]);
                    }
                }
                default -> throw new IllegalStateException("scanner state " + state);
            }
        }
        pos = base + end;
        lastByte = length > 0 ? buffer[end - 1] : lastByte;
        if (inRecord) {
            if (captureFrom >= 0) {
                appendHeader(buffer, captureFrom, end);
            }
            checkRecordSize(pos);
        }
    }

    /** Ends the input: closes the last record and checks what only the end can tell. */
    void finish() throws Problem {
        if (utfNeed > 0) {
            throw new Problem(line, "the file ends inside a UTF-8 character (its last bytes are not valid UTF-8)",
                    "save or export the file again as UTF-8; it was probably cut off");
        }
        if (state == QUOTED) {
            throw unbalancedQuote();
        }
        if (inRecord) {
            endRecord(pos, null, -1, 0);
        }
        if (header == null) {
            throw new Problem(0, "the file has no header line (it holds only blank lines or a byte-order mark)",
                    "export the data again with a header line naming the columns and at least one data row");
        }
        if (dataRows == 0) {
            throw new Problem(headerLine, "the file has a header but no data rows",
                    "export the data again including its rows; a file with only a header cannot be scored");
        }
    }

    /** The header names, once the header record has been read. */
    List<String> header() {
        return header;
    }

    /** Data records seen so far. */
    long dataRows() {
        return dataRows;
    }

    private int skipByteOrderMark(byte[] buffer, int offset, int end) throws Problem {
        int length = end - offset;
        if (length >= 3 && (buffer[offset] & 0xFF) == 0xEF && (buffer[offset + 1] & 0xFF) == 0xBB
                && (buffer[offset + 2] & 0xFF) == 0xBF) {
            return offset + 3;
        }
        if (length >= 2 && ((buffer[offset] & 0xFF) == 0xFF && (buffer[offset + 1] & 0xFF) == 0xFE
                || (buffer[offset] & 0xFF) == 0xFE && (buffer[offset + 1] & 0xFF) == 0xFF)) {
            throw new Problem(1, "the file is UTF-16 encoded (it starts with a UTF-16 byte-order mark)",
                    "save or export the file as UTF-8 (\"CSV UTF-8\" in Excel)");
        }
        return offset;
    }

    private void startRecord(long at) {
        inRecord = true;
        recordStart = at;
        recordLine = line;
        fields = 1;
        state = FIELD_START;
    }

    /** Closes the current record at absolute offset {@code at}; true when it was the header. */
    private boolean endRecord(long at, byte[] buffer, int captureFrom, int captureTo) throws Problem {
        inRecord = false;
        state = FIELD_START;
        checkRecordSize(at);
        if (header == null) {
            if (buffer != null && captureFrom >= 0) {
                appendHeader(buffer, captureFrom, captureTo);
            }
            readHeader();
            return true;
        }
        if (fields != header.size()) {
            throw ragged();
        }
        dataRows++;
        return false;
    }

    /**
     * A line break outside quotes: closes the record and counts the line. Returns where the
     * header's bytes start in the buffer, or -1 once the header has been read.
     */
    private int recordBreak(long at, byte[] buffer, int captureFrom, int i, int offset) throws Problem {
        boolean wasHeader = endRecord(at, buffer, captureFrom, i);
        countLineBreak(buffer, i, offset);
        return wasHeader ? -1 : captureFrom;
    }

    private void countLineBreak(byte[] buffer, int i, int offset) {
        // CRLF is one line break: the LF only counts when no CR came right before it.
        if (buffer[i] == '\r' || (i > offset ? buffer[i - 1] : lastByte) != '\r') {
            line++;
        }
    }

    private void checkRecordSize(long at) throws Problem {
        long size = at - recordStart;
        if (size <= maxRecordBytes) {
            return;
        }
        if (state == QUOTED) {
            throw new Problem(quoteLine, "a quoted field opens here and is still open after " + size
                    + " bytes, more than the largest allowed record (" + maxRecordBytes + " bytes)",
                    "look for an unbalanced quote on this line: close it, or double quotes that are part of a value (\"\")");
        }
        throw new Problem(recordLine, "the record starting on this line is " + size
                + " bytes long, more than the largest allowed record (" + maxRecordBytes + " bytes)",
                "check the line for a stray quote or missing line breaks, or raise input.max-record-size in the job definition");
    }

    private int startUtf8(byte[] buffer, int i, int end, long base) throws Problem {
        int c = buffer[i] & 0xFF;
        // Table 3-7 of the Unicode standard: the lead byte fixes the length and the range of
        // the first continuation byte (no overlongs, no surrogates, nothing above U+10FFFF).
        if (c >= 0xC2 && c <= 0xDF) {
            expect(1, 0x80, 0xBF);
        }
        else if (c == 0xE0) {
            expect(2, 0xA0, 0xBF);
        }
        else if (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) {
            expect(2, 0x80, 0xBF);
        }
        else if (c == 0xED) {
            expect(2, 0x80, 0x9F);
        }
        else if (c == 0xF0) {
            expect(3, 0x90, 0xBF);
        }
        else if (c >= 0xF1 && c <= 0xF3) {
            expect(3, 0x80, 0xBF);
        }
        else if (c == 0xF4) {
            expect(3, 0x80, 0x8F);
        }
        else {
            utfSeenCount = 0;
            throw invalidUtf8(c, base + i);
        }
        utfStart = base + i;
        utfSeen = c;
        utfSeenCount = 1;
        return continueUtf8(buffer, i + 1, end, base);
    }

    private void expect(int need, int low, int high) {
        utfNeed = need;
        utfLow = low;
        utfHigh = high;
    }

    private int continueUtf8(byte[] buffer, int i, int end, long base) throws Problem {
        while (utfNeed > 0 && i < end) {
            int c = buffer[i] & 0xFF;
            if (c < utfLow || c > utfHigh) {
                throw invalidUtf8(c, utfStart);
            }
            utfSeen = utfSeen << 8 | c;
            utfSeenCount++;
            utfLow = 0x80;
            utfHigh = 0xBF;
            utfNeed--;
            i++;
        }
        return i;
    }

    private void appendHeader(byte[] buffer, int from, int to) throws Problem {
        int length = to - from;
        if (headerLength + (long) length > maxRecordBytes) {
            checkRecordSize(recordStart + headerLength + (long) length);
        }
        if (headerLength + length > headerBytes.length) {
            headerBytes = Arrays.copyOf(headerBytes, Math.max(headerBytes.length * 2, headerLength + length));
        }
        System.arraycopy(buffer, from, headerBytes, headerLength, length);
        headerLength += length;
    }

    private void readHeader() throws Problem {
        headerLine = recordLine;
        String text = new String(headerBytes, 0, headerLength, StandardCharsets.UTF_8);
        headerBytes = null;
        CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).get();
        List<String> names;
        try (CSVParser parser = CSVParser.parse(new StringReader(text), format)) {
            List<CSVRecord> records = parser.getRecords();
            names = records.isEmpty() ? List.of("") : records.get(0).toList();
        }
        catch (IOException | UncheckedIOException ex) {
            // The scanner already accepted the record, so this would be a disagreement between the two parsers.
            throw new Problem(headerLine, "the header cannot be parsed (" + ex.getMessage() + ")",
                    "check the quotes in the header line");
        }
        if (names.size() != fields) {
            throw new Problem(headerLine, "the header cannot be parsed consistently (" + names.size() + " names, "
                    + fields + " fields)", "check the quotes in the header line");
        }
        header = List.copyOf(names);
        checkHeader();
    }

    private void checkHeader() throws Problem {
        List<String> required = rules.requiredColumns();
        if (header.size() == 1 && !(!required.isEmpty() && header.containsAll(required))) {
            char other = otherDelimiter(header.get(0));
            if (other != 0) {
                String shown = other == '\t' ? "\\t" : String.valueOf(other);
                String name = other == '\t' ? "tab" : shown;
                throw new Problem(headerLine, "the header is a single column " + quote(header.get(0))
                        + ": the file seems to be " + name + "-separated, not " + describe(delimiter) + "-separated",
                        "set input.delimiter: \"" + shown + "\" in the job definition or convert the file to "
                                + describe(delimiter) + "-separated");
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (name.isBlank()) {
                boolean last = i == header.size() - 1 && header.size() > 1;
                throw new Problem(headerLine, "column " + (i + 1) + " of the header has no name",
                        last ? "remove the trailing " + quote(String.valueOf(delimiter))
                                + " at the end of the header (and of the rows), or name the column"
                                : "give every column a name in the header line");
            }
            Integer before = seen.putIfAbsent(name, i);
            if (before != null) {
                throw new Problem(headerLine, "the header names column " + quote(name) + " twice (columns "
                        + (before + 1) + " and " + (i + 1) + ")", "give every column a unique name in the header line");
            }
        }
        Set<String> missing = new LinkedHashSet<>(required);
        header.forEach(missing::remove);
        if (!missing.isEmpty()) {
            StringBuilder problem = new StringBuilder("the header lacks the required column")
                    .append(missing.size() > 1 ? "s " : " ").append(quoteAll(new ArrayList<>(missing), missing.size()))
                    .append("; it has ").append(quoteAll(header, MAX_NAMES_SHOWN));
            List<String> near = new ArrayList<>();
            for (String want : missing) {
                for (String have : header) {
                    if (have.strip().toLowerCase(Locale.ROOT).equals(want.strip().toLowerCase(Locale.ROOT))) {
                        near.add(quote(have) + " differs from " + quote(want) + " only in case or spaces");
                    }
                }
            }
            if (!near.isEmpty()) {
                problem.append(" (").append(String.join("; ", near)).append(')');
            }
            throw new Problem(headerLine, problem.toString(),
                    "add the missing column" + (missing.size() > 1 ? "s" : "")
                            + " to the header line, or correct input.required-columns in the job definition");
        }
    }

    private char otherDelimiter(String single) {
        char best = 0;
        long bestCount = 0;
        for (char candidate : new char[] {';', '\t', ',', '|'}) {
            if (candidate == delimiter) {
                continue;
            }
            long count = single.chars().filter(c -> c == candidate).count();
            if (count > bestCount) {
                best = candidate;
                bestCount = count;
            }
        }
        return best;
    }

    private Problem ragged() {
        String fix = "quote fields that contain " + quote(String.valueOf(delimiter)) + " and give every row "
                + header.size() + " field" + (header.size() == 1 ? "" : "s");
        String what = recordLine == line ? "line " + recordLine : "the record on lines " + recordLine + "-" + line;
        return new Problem(recordLine, what + " has " + fields + " field" + (fields == 1 ? "" : "s")
                + ", the header has " + header.size(), fix);
    }

    private Problem unbalancedQuote() {
        return new Problem(quoteLine, "a quoted field opens on this line and is never closed (unbalanced quote)",
                "close the quote, or double quotes that are part of a value (\"\")");
    }

    private Problem strayAfterQuote(byte b) {
        String shown = b >= 0x20 && b < 0x7F ? quote(String.valueOf((char) b)) : String.format("byte 0x%02X", b & 0xFF);
        return new Problem(line, "a quoted field is followed by " + shown + " instead of "
                + quote(String.valueOf(delimiter)) + " or the line end",
                "quote the whole field and double the quotes inside it (\"\"), e.g. \"say \"\"hi\"\"\"");
    }

    private Problem nul(long at) {
        return new Problem(line, "the line contains a NUL byte (0x00 at byte offset " + at + ")",
                "the file looks binary or UTF-16 encoded: save or export it as UTF-8 text");
    }

    private Problem invalidUtf8(int b, long at) {
        StringBuilder bytes = new StringBuilder();
        for (int k = utfSeenCount - 1; k >= 0; k--) {
            bytes.append(String.format("0x%02X ", utfSeen >>> (8 * k) & 0xFF));
        }
        bytes.append(String.format("0x%02X", b));
        return new Problem(line, "the line has bytes that are not valid UTF-8 (" + bytes + " at byte offset " + at + ")",
                "save or export the file as UTF-8 (it may be in a legacy encoding such as Windows-1252)");
    }

    private static String describe(char delimiter) {
        return switch (delimiter) {
            case '\t' -> "tab";
            case ' ' -> "space";
            default -> String.valueOf(delimiter);
        };
    }

    private static String quote(String text) {
        return "\"" + text.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    private static String quoteAll(List<String> names, int limit) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < names.size() && i < limit; i++) {
            out.append(i > 0 ? ", " : "").append(quote(names.get(i)));
        }
        if (names.size() > limit) {
            out.append(" and ").append(names.size() - limit).append(" more");
        }
        return out.toString();
    }
}
