package dev.besworker.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/** Checks a scored CSV against its input and the independent Feature Hashing oracle. */
public final class ScoredCsv {

    private ScoredCsv() {
    }

    /**
     * Asserts that {@code output} holds every input row and column, in order, followed by the
     * exact 2^bits hashing features of {@code column} (bigrams), as the oracle computes them.
     */
    public static void assertScored(Path input, Path output, String column, int bits) throws IOException {
        List<CSVRecord> in = read(input);
        List<CSVRecord> out = read(output);
        assertThat(out).hasSameSizeAs(in);
        List<String> inputHeader = in.isEmpty() ? List.of() : new ArrayList<>(in.get(0).getParser().getHeaderNames());
        List<String> outputHeader = out.get(0).getParser().getHeaderNames();
        List<String> expectedHeader = new ArrayList<>(inputHeader);
        for (int i = 0; i < (1 << bits); i++) {
            expectedHeader.add(column + "_HashingFeature." + i);
        }
        assertThat(outputHeader).containsExactlyElementsOf(expectedHeader);
        List<String> texts = in.stream().map(r -> r.get(column)).toList();
        List<List<Integer>> expected = FeatureHashingOracle.features(texts, bits, 2);
        for (int row = 0; row < in.size(); row++) {
            for (String name : inputHeader) {
                assertThat(out.get(row).get(name)).as("row %d column %s", row + 1, name).isEqualTo(in.get(row).get(name));
            }
            List<Integer> actual = new ArrayList<>();
            for (int i = 0; i < (1 << bits); i++) {
                actual.add(Integer.parseInt(out.get(row).get(column + "_HashingFeature." + i)));
            }
            assertThat(actual).as("features of row %d (%s)", row + 1, texts.get(row)).isEqualTo(expected.get(row));
        }
    }

    private static List<CSVRecord> read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader).getRecords();
        }
    }
}
