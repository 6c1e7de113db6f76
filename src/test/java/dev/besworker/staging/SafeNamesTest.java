package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeNamesTest {

    @TempDir
    Path outputDir;

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', value = {
        "input.csv|input.csv",
        "my data 2024.csv|my-data-2024.csv",
        "../../etc/passwd|etc-passwd",
        "..|file",
        ".|file",
        "...|file",
        "''|file",
        "/etc/shadow|etc-shadow",
        "C:\\Users\\me\\in.csv|C-Users-me-in.csv",
        ".hidden.csv|hidden.csv",
        "a..b...c.csv|a.b.c.csv",
        "trailing dot.|trailing-dot",
        "a  --  b|a-b",
        "Überprüfung_数据 (v2).csv|Überprüfung_数据-v2.csv",
        "100%&?#=+.csv|100.csv",
        "report - final .csv|report-final.csv",
        "a. b|a.b",
    })
    void blobSegment_keepsLettersDigitsAndReplacesTheRest(String raw, String expected) {
        // when
        String segment = SafeNames.blobSegment(raw);

        // then
        assertThat(segment).isEqualTo(expected);
    }

    @Test
    void blobSegment_isNeverEmptyNorDotDotNorASeparator() {
        // given
        String[] hostile = {null, "", " ", "..", "../..", "/", "\\", "\u0000", "\u202E", ". .", "-.-", "%2e%2e"};

        for (String raw : hostile) {
            // when
            String segment = SafeNames.blobSegment(raw);

            // then
            assertThat(segment).as(String.valueOf(raw)).isNotEmpty().isNotEqualTo("..").isNotEqualTo(".")
                    .doesNotContain("/", "\\", "..").doesNotStartWith(".");
        }
    }

    @Test
    void blobSegment_replacesControlCharacters() {
        // when / then
        assertThat(SafeNames.blobSegment("tab\there\nnew\u0000line\r")).isEqualTo("tab-here-new-line");
    }

    @Test
    void blobSegment_normalizesToNfc() {
        // given: "é" as e + combining acute
        String decomposed = "caf" + "e\u0301" + ".csv";

        // when
        String segment = SafeNames.blobSegment(decomposed);

        // then
        assertThat(segment).isEqualTo("café.csv");
        assertThat(Normalizer.isNormalized(segment, Normalizer.Form.NFC)).isTrue();
    }

    @Test
    void blobSegment_keepsCombiningMarksOfScriptsThatNeedThem() {
        // when / then
        assertThat(SafeNames.blobSegment("हिन्दी डेटा.csv")).isEqualTo("हिन्दी-डेटा.csv");
    }

    @Test
    void blobSegment_isAtMost200Characters_withoutSplittingCharacters() {
        // given
        String longName = "😀".repeat(150) + "x".repeat(150);

        // when
        String segment = SafeNames.blobSegment(longName);

        // then: the emoji are symbols, replaced; letters are kept up to the limit
        assertThat(segment.codePointCount(0, segment.length())).isLessThanOrEqualTo(SafeNames.MAX_SEGMENT);
        String letters = SafeNames.blobSegment("ж".repeat(300));
        assertThat(letters).hasSize(200);
    }

    @Test
    void outputPath_isStemDotOutputDotCsvInsideTheDirectory() {
        // when
        Path path = SafeNames.outputPath(outputDir, "daily sales", "output1");

        // then
        assertThat(path).isEqualTo(outputDir.toAbsolutePath().normalize().resolve("daily-sales.output1.csv"));
    }

    @Test
    void outputPath_doesNotDoubleTheCsvExtension() {
        // when / then
        assertThat(SafeNames.outputPath(outputDir, "in", "scores.csv").getFileName().toString()).isEqualTo("in.scores.csv");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
        "../../etc|passwd",
        "..|..",
        "/etc/cron.d/x|output1",
        "in|../../../root/.ssh/authorized_keys",
        "in|/absolute/output",
        "C:\\Windows|System32\\evil",
        "''|''",
    })
    void outputPath_neverEscapesTheDirectory(String stem, String output) {
        // when
        Path path = SafeNames.outputPath(outputDir, stem, output);

        // then
        assertThat(path.getParent()).isEqualTo(outputDir.toAbsolutePath().normalize());
        assertThat(path.getFileName().toString()).endsWith(".csv").doesNotStartWith(".").doesNotContain("..");
    }

    @Test
    void outputPath_keepsFileNamesWithin240BytesForMultiByteNames() {
        // when: 200 CJK characters are 600 bytes of UTF-8
        Path path = SafeNames.outputPath(outputDir, "数".repeat(200), "output1");

        // then
        String name = path.getFileName().toString();
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(240);
        assertThat(name).startsWith("数数数").endsWith(".output1.csv");
    }

    @Test
    void outputPath_avoidsWindowsDeviceNames() {
        // when / then
        assertThat(SafeNames.outputPath(outputDir, "CON", "output1").getFileName().toString()).isEqualTo("_CON.output1.csv");
    }
}
