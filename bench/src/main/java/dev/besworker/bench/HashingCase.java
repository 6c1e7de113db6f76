package dev.besworker.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import dev.besworker.emulator.FeatureHashingTransform;

/**
 * Case 2: rows per second of the emulator's Feature Hashing transform over a local file, against
 * a bare Commons CSV read of the same file (every field touched). Both read through the same
 * reader stack the emulator uses (UTF-8 decoder, 1 MiB buffer); the transform's output goes to a
 * writer that counts characters and drops them, so the figure is parsing + hashing + formatting
 * without storage. The file is read once beforehand so both runs find it in the page cache.
 */
final class HashingCase {

    record Result(long rows, double bareSeconds, double hashSeconds, long outputChars) {
        double bareRowsPerSecond() {
            return rows / bareSeconds;
        }

        double hashRowsPerSecond() {
            return rows / hashSeconds;
        }
    }

    private HashingCase() {
    }

    static Result run(Path file) throws IOException {
        warm(file);
        long t0 = System.nanoTime();
        long rows = bareRead(file);
        double bare = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        CountingWriter sink = new CountingWriter();
        FeatureHashingTransform.Summary summary;
        try (Reader in = reader(file)) {
            summary = new FeatureHashingTransform("Col2", 3, 2).transform(in, ',', sink,
                    FeatureHashingTransform.OutputFormat.CSV, file.getFileName().toString(), () -> false);
        }
        double hash = (System.nanoTime() - t0) / 1e9;
        if (summary.rows() != rows) {
            throw new IllegalStateException("the transform saw " + summary.rows() + " rows, the bare read " + rows);
        }
        return new Result(rows, bare, hash, sink.count);
    }

    /** Parses every record and touches every field, as a consumer of the rows would. */
    static long bareRead(Path file) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        long rows = 0;
        long chars = 0;
        try (Reader in = reader(file); CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
            for (CSVRecord record : parser) {
                for (String value : record.values()) {
                    chars += value.length();
                }
                rows++;
            }
        }
        if (chars < 0) {
            throw new IllegalStateException("unreachable: keeps the field reads alive");
        }
        return rows;
    }

    private static Reader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 20);
    }

    private static void warm(Path file) throws IOException {
        byte[] buffer = new byte[1 << 20];
        try (var in = Files.newInputStream(file)) {
            while (in.read(buffer) >= 0) {
                // only brings the file into the page cache
            }
        }
    }

    /** Counts what is written and keeps nothing. */
    static final class CountingWriter extends Writer {
        long count;

        @Override
        public void write(char[] cbuf, int off, int len) {
            count += len;
        }

        @Override
        public void write(String str, int off, int len) {
            count += len;
        }

        @Override
        public void write(int c) {
            count++;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
