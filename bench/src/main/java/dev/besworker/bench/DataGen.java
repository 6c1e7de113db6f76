package dev.besworker.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Writes realistic book-review CSV files ({@code ReviewId,Col2,Rating}) of an exact byte size.
 * Review texts are made of sentences taken from the sample data (so they carry commas, quotes,
 * curly quotes, non-ASCII letters and the occasional line break inside a quoted field), 0 to 12
 * sentences per review, which gives rows of 0 to about 1.5 KB with a mean near 300 bytes. The
 * output is RFC 4180: a text containing a comma, quote or line break is quoted, quotes doubled.
 */
final class DataGen {

    private static final byte[] HEADER = "ReviewId,Col2,Rating\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[][] sentences;
    private final boolean[] needsQuotes;
    private final byte[][] quotedSentences;

    DataGen(Path sampleCsv) throws IOException {
        List<String> found = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(sampleCsv, StandardCharsets.UTF_8)) {
            for (CSVRecord row : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                String text = row.get("Col2");
                // Split after sentence ends; keep the text's own line breaks inside sentences.
                for (String sentence : text.split("(?<=[.!?”])\\s+")) {
                    if (!sentence.isBlank()) {
                        found.add(sentence);
                    }
                }
            }
        }
        sentences = new byte[found.size()][];
        quotedSentences = new byte[found.size()][];
        needsQuotes = new boolean[found.size()];
        for (int i = 0; i < found.size(); i++) {
            String s = found.get(i);
            sentences[i] = s.getBytes(StandardCharsets.UTF_8);
            quotedSentences[i] = s.replace("\"", "\"\"").getBytes(StandardCharsets.UTF_8);
            needsQuotes[i] = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
        }
    }

    /** Writes exactly {@code bytes} bytes of CSV to {@code target}; returns the number of data rows. */
    long write(Path target, long bytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] row = new byte[64 * 1024];
        int[] picks = new int[16];
        long written = 0;
        long rows = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 20)) {
            out.write(HEADER);
            written += HEADER.length;
            while (true) {
                int count = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(random.nextInt(4) == 0 ? 12 : 4);
                boolean quoted = false;
                for (int i = 0; i < count; i++) {
                    picks[i] = random.nextInt(sentences.length);
                    quoted |= needsQuotes[picks[i]];
                }
                int n = id(row, 0, rows + 1);
                row[n++] = ',';
                if (quoted) {
                    row[n++] = '"';
                }
                for (int i = 0; i < count; i++) {
                    if (i > 0) {
                        row[n++] = ' ';
                    }
                    byte[] s = quoted ? quotedSentences[picks[i]] : sentences[picks[i]];
                    System.arraycopy(s, 0, row, n, s.length);
                    n += s.length;
                }
                if (quoted) {
                    row[n++] = '"';
                }
                row[n++] = ',';
                row[n++] = (byte) ('1' + random.nextInt(5));
                row[n++] = '\n';
                long left = bytes - written;
                if (left - n < 40) {
                    // The last rows are cut to size: an id, a plain filler text and a rating.
                    while (left > 0) {
                        int size = left <= 1000 ? (int) left : left - 1000 < 40 ? (int) left / 2 : 1000;
                        int filled = filler(row, rows + 1, size);
                        out.write(row, 0, filled);
                        written += filled;
                        left -= filled;
                        rows++;
                    }
                    break;
                }
                out.write(row, 0, n);
                written += n;
                rows++;
            }
        }
        // On disk before anyone measures: a file still being written back competes with the
        // worker's reads, and the baselines would run later against a settled file.
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(target,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        if (Files.size(target) != bytes) {
            throw new IllegalStateException("generated " + Files.size(target) + " bytes, wanted " + bytes);
        }
        return rows;
    }

    private static int id(byte[] row, int at, long number) {
        row[at] = 'R';
        long value = number;
        for (int i = 10; i >= 1; i--) {
            row[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + 11;
    }

    private int filler(byte[] row, long number, int length) {
        int n = id(row, 0, number);
        row[n++] = ',';
        int textEnd = length - 3; // ",5\n"
        byte[] word = "filler ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; n < textEnd; i++, n++) {
            row[n] = word[i % word.length];
        }
        row[n - 1] = '.';
        row[n++] = ',';
        row[n++] = '5';
        row[n++] = '\n';
        return n;
    }
}
