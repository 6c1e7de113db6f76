package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsvValidatorTest {

    private static final Path BAD = Path.of("sample-data", "bad");
    private static final InputRules RULES = InputRules.csv(List.of("Col2"));

    private final CsvValidator validator = new CsvValidator();

    @TempDir
    Path dir;

    static Stream<Arguments> badCorpus() {
        return Stream.of(
                Arguments.of("empty.csv", 0, "the file is empty (0 bytes)", "header line"),
                Arguments.of("header-only.csv", 1, "has a header but no data rows", "export the data again"),
                Arguments.of("missing-column.csv", 1, "lacks the required column \"Col2\"; it has \"id\", \"text\"",
                        "input.required-columns"),
                Arguments.of("wrong-delimiter.csv", 1, "the file seems to be ;-separated",
                        "set input.delimiter: \";\" in the job definition or convert"),
                Arguments.of("unbalanced-quote.csv", 3, "never closed (unbalanced quote)", "close the quote"),
                Arguments.of("ragged-rows.csv", 7, "line 7 has 3 fields, the header has 2",
                        "give every row 2 fields"),
                Arguments.of("invalid-utf8.csv", 3, "not valid UTF-8 (0xE9 0x20 at byte offset 34)", "save or export the file as UTF-8"),
                Arguments.of("nul-bytes.csv", 3, "NUL byte", "as UTF-8 text"),
                Arguments.of("duplicate-header.csv", 1, "names column \"Col2\" twice (columns 2 and 3)",
                        "unique name"),
                Arguments.of("trailing-delimiter.csv", 1, "column 3 of the header has no name",
                        "remove the trailing \",\""),
                Arguments.of("stray-quote.csv", 2, "a quoted field is followed by \"a\"", "double the quotes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCorpus")
    void badCorpusFile_isRejectedWithLineProblemAndFix(String name, long line, String problem, String fix) {
        // given
        Path file = BAD.resolve(name);

        // when
        InputRejectedException rejected = catchThrowableOfType(InputRejectedException.class,
                () -> validator.validate(file, RULES, TransferListener.NONE));

        // then
        assertThat(rejected).as(name).isNotNull();
        assertThat(rejected.file()).isEqualTo(file);
        assertThat(rejected.line()).isEqualTo(line);
        assertThat(rejected.problem()).contains(problem);
        assertThat(rejected.fix()).contains(fix);
        String expectedStart = line > 0 ? file + ": line " + line + ": " : file + ": ";
        assertThat(rejected.getMessage()).isEqualTo(expectedStart + rejected.problem() + ". Fix: " + rejected.fix());
    }

    @Test
    void recordLongerThanLimit_isRejectedNamingTheLimit() {
        // given
        Path file = BAD.resolve("long-record.csv");
        InputRules rules = new InputRules(List.of("Col2"), ',', 256);

        // when / then
        assertThatThrownBy(() -> validator.validate(file, rules, TransferListener.NONE))
                .isInstanceOfSatisfying(InputRejectedException.class, rejected -> {
                    assertThat(rejected.line()).isEqualTo(3);
                    assertThat(rejected.problem()).contains("289 bytes long", "(256 bytes)");
                    assertThat(rejected.fix()).contains("input.max-record-size");
                });
        assertThat(validator.validate(file, new InputRules(List.of("Col2"), ',', 290), TransferListener.NONE).dataRows())
                .isEqualTo(3);
    }

    @Test
    void recordOverTheDefaultMebibyte_isRejected() throws IOException {
        // given
        Path file = dir.resolve("huge-row.csv");
        Files.writeString(file, "id,Col2\n1,ok\n2," + "x".repeat(InputRules.DEFAULT_MAX_RECORD_BYTES) + "\n");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, InputRules.csv(List.of("Col2")), TransferListener.NONE))
                .isInstanceOfSatisfying(InputRejectedException.class, rejected -> {
                    assertThat(rejected.line()).isEqualTo(3);
                    assertThat(rejected.problem()).contains("(1048576 bytes)");
                });
    }

    @Test
    void neverEndingQuotedField_isRejectedWithoutReadingTheWholeFile() throws IOException {
        // given: a quote opened on line 3 that swallows 16 MiB of rows
        Path file = dir.resolve("runaway-quote.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("id,Col2\n1,fine\n2,\"runaway\n".getBytes(StandardCharsets.US_ASCII));
            byte[] row = "3,more text that is swallowed by the open quote\n".getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written < 16L << 20; written += row.length) {
                out.write(row);
            }
        }
        long size = Files.size(file);
        List<Long> progress = new ArrayList<>();

        // when
        InputRejectedException rejected = catchThrowableOfType(InputRejectedException.class,
                () -> validator.validate(file, new InputRules(List.of("Col2"), ',', 64 * 1024),
                        (done, total) -> progress.add(done)));

        // then
        assertThat(rejected).isNotNull();
        assertThat(rejected.line()).isEqualTo(3);
        assertThat(rejected.problem()).contains("quoted field opens here and is still open");
        assertThat(rejected.fix()).contains("unbalanced quote");
        assertThat(progress).isEmpty(); // rejected while scanning the first 1 MiB chunk
        assertThat(size).isGreaterThan(16L << 20);
    }

    @Test
    void directory_isRejected() {
        // when / then
        assertThatThrownBy(() -> validator.validate(dir, RULES, TransferListener.NONE))
                .isInstanceOf(InputRejectedException.class)
                .hasMessage(dir + ": this is a directory, not a file. Fix: name the CSV file itself, e.g. "
                        + dir.resolve("data.csv"));
    }

    @Test
    void missingFile_isRejected() {
        // given
        Path file = dir.resolve("nope.csv");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .isInstanceOfSatisfying(InputRejectedException.class, rejected -> {
                    assertThat(rejected.line()).isZero();
                    assertThat(rejected.getMessage()).startsWith(file + ": the file does not exist. Fix: check the path");
                });
    }

    @Test
    void fileInMissingFolder_saysTheFolderIsMissing() {
        // given
        Path file = dir.resolve("no-such-folder").resolve("in.csv");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageContaining("does not exist either");
    }

    @Test
    void danglingSymlink_isRejectedNamingTheMissingTarget() throws IOException {
        // given
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), dir.resolve("gone.csv"));

        // when / then
        assertThatThrownBy(() -> validator.validate(link, RULES, TransferListener.NONE))
                .isInstanceOfSatisfying(InputRejectedException.class, rejected ->
                        assertThat(rejected.problem()).isEqualTo(
                                "this is a symbolic link to " + dir.resolve("gone.csv") + ", which does not exist"));
    }

    @Test
    void loopingSymlinks_areRejectedAsALoop() throws IOException {
        // given: a -> b, b -> a
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);

        // when / then
        assertThatThrownBy(() -> validator.validate(a, RULES, TransferListener.NONE))
                .isInstanceOfSatisfying(InputRejectedException.class, rejected ->
                        assertThat(rejected.problem()).startsWith("this is a symbolic link that loops back on itself"));
    }

    @Test
    void symlinkToAGoodFile_isFollowed() throws IOException {
        // given
        Path real = write("real.csv", "id,Col2\n1,a\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real);

        // when
        CsvCheck check = validator.validate(link, RULES, TransferListener.NONE);

        // then
        assertThat(check.dataRows()).isEqualTo(1);
        assertThat(check.file()).isEqualTo(link);
    }

    @Test
    void unreadableFile_isRejectedAsPermissionDenied_evenWhenTestsRunAsRoot() throws Exception {
        // given: mode 000; root reads anything, so then the check runs in a JVM as nobody
        Path work = dir; // directly under the system temp folder, which every user may enter
        Path locked = Files.writeString(work.resolve("locked.csv"), "id,Col2\n1,a\n");
        Path open = Files.writeString(work.resolve("open.csv"), "id,Col2\n1,a\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        // when
        String lockedResult;
        String openResult;
        if (Unprivileged.isRoot()) {
            lockedResult = Unprivileged.validateAsNobody(work, locked);
            openResult = Unprivileged.validateAsNobody(work, open);
        }
        else {
            lockedResult = runInProcess(locked);
            openResult = runInProcess(open);
        }

        // then: the same runner reads a readable file, so the rejection is the permission
        assertThat(openResult).isEqualTo("OK 1");
        assertThat(lockedResult).startsWith("REJECTED " + locked + ": the file cannot be read (permission denied). Fix: give");
    }

    private String runInProcess(Path file) {
        try {
            return "OK " + validator.validate(file, InputRules.csv(List.of()), TransferListener.NONE).dataRows();
        }
        catch (InputRejectedException ex) {
            return "REJECTED " + ex.getMessage();
        }
    }

    @Test
    void byteOrderMark_isSkippedForTheHeaderButCountedInHashesAndSize() throws Exception {
        // given
        byte[] bytes = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "Col2,id\nThis is a good day,1\n");
        Path file = Files.write(dir.resolve("bom.csv"), bytes);

        // when
        CsvCheck check = validator.validate(file, RULES, TransferListener.NONE);

        // then
        assertThat(check.header()).containsExactly("Col2", "id");
        assertThat(check.bytes()).isEqualTo(bytes.length);
        assertThat(check.sha256Hex()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    @Test
    void utf16File_isRejectedAsUtf16() throws IOException {
        // given
        Path file = Files.write(dir.resolve("utf16.csv"), "id,Col2\n1,a\n".getBytes(StandardCharsets.UTF_16));

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageContaining("line 1: the file is UTF-16 encoded");
    }

    @Test
    void fileNamesWithSpacesUnicodeAndDots_pass() throws IOException {
        // given
        Path file = write("my data.v2.Überprüfung 数据.csv", "id,Col2\n1,Grüße aus Köln 🌍\n2,数据\n");

        // when
        CsvCheck check = validator.validate(file, RULES, TransferListener.NONE);

        // then
        assertThat(check.dataRows()).isEqualTo(2);
        assertThat(check.file()).isEqualTo(file);
    }

    @Test
    void tabSeparatedFile_passesWithTabDelimiter() throws IOException {
        // given
        Path file = write("data.tsv", "id\tCol2\tnote\n1\tThis is a good day\ta, b, c\n2\t\"quoted\ttab\"\t\n");

        // when
        CsvCheck check = validator.validate(file, new InputRules(List.of("Col2"), '\t', 0), TransferListener.NONE);

        // then
        assertThat(check.header()).containsExactly("id", "Col2", "note");
        assertThat(check.dataRows()).isEqualTo(2);
    }

    @Test
    void tabSeparatedFile_readAsCommaSeparated_suggestsTheTabDelimiter() throws IOException {
        // given
        Path file = write("data.tsv", "id\tCol2\n1\tThis is a good day\n");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageContaining("seems to be tab-separated")
                .hasMessageContaining("set input.delimiter: \"\\t\"");
    }

    @Test
    void quotedFieldsWithLineBreaksAndDelimiters_countAsOneRow() throws IOException {
        // given
        Path file = write("quoted.csv", "id,Col2\r\n1,\"line one\r\nline two, with comma\"\r\n2,\"say \"\"hi\"\"\" \r\n");

        // when
        CsvCheck check = validator.validate(file, RULES, TransferListener.NONE);

        // then
        assertThat(check.dataRows()).isEqualTo(2);
    }

    @Test
    void errorAfterMultiLineRecord_namesThePhysicalLine() throws IOException {
        // given: the record of lines 2-3 spans a CRLF inside quotes; line 4 is ragged
        Path file = write("lines.csv", "id,Col2\r\n1,\"a\r\nb\"\r\n2,x,y\r\n");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageStartingWith(file + ": line 4: line 4 has 3 fields, the header has 2");
    }

    @Test
    void raggedMultiLineRecord_namesItsLines() throws IOException {
        // given
        Path file = write("lines.csv", "id,Col2\n1,a\n2,\"b\nc\",d\n");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageStartingWith(file + ": line 3: the record on lines 3-4 has 3 fields, the header has 2");
    }

    @Test
    void blankLinesAndMissingFinalLineBreak_areTolerated() throws IOException {
        // given
        Path file = write("blank.csv", "\nid,Col2\n\n1,a\n\n\n2,b");

        // when
        CsvCheck check = validator.validate(file, RULES, TransferListener.NONE);

        // then
        assertThat(check.dataRows()).isEqualTo(2);
        assertThat(check.header()).containsExactly("id", "Col2");
    }

    @Test
    void missingColumnThatDiffersInCase_isPointedOut() throws IOException {
        // given
        Path file = write("case.csv", "id,col2 \n1,a\n");

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageContaining("\"col2 \" differs from \"Col2\" only in case or spaces");
    }

    @Test
    void quotedHeaderNames_areUnquoted() throws IOException {
        // given
        Path file = write("quoted-header.csv", "\"id\",\"Col2\",\"a \"\"b\"\"\"\n1,x,y\n");

        // when
        CsvCheck check = validator.validate(file, RULES, TransferListener.NONE);

        // then
        assertThat(check.header()).containsExactly("id", "Col2", "a \"b\"");
    }

    @Test
    void invalidUtf8Sequences_areRejected_validOnesPass() throws IOException {
        // given
        byte[][] invalid = {
            {(byte) 0xC0, (byte) 0x80},                          // overlong NUL
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},             // a UTF-16 surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0x80},                                       // continuation without lead
            {(byte) 0xE2, (byte) 0x82},                          // truncated before the line end
        };
        for (byte[] sequence : invalid) {
            Path file = Files.write(dir.resolve("bad.csv"), concat(concat("id,Col2\n1,a\n2,x".getBytes(StandardCharsets.UTF_8),
                    sequence), "y\n".getBytes(StandardCharsets.UTF_8)));

            // when / then
            assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                    .as(HexFormat.of().formatHex(sequence))
                    .hasMessageContaining("line 3: the line has bytes that are not valid UTF-8");
        }
        Path good = write("good.csv", "id,Col2\n1,€ ߿ 𐀀 \uFFFD\n");
        assertThat(validator.validate(good, RULES, TransferListener.NONE).dataRows()).isEqualTo(1);
    }

    @Test
    void fileEndingInsideUtf8Character_isRejected() throws IOException {
        // given
        Path file = Files.write(dir.resolve("cut.csv"), concat("id,Col2\n1,".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xE2, (byte) 0x82}));

        // when / then
        assertThatThrownBy(() -> validator.validate(file, RULES, TransferListener.NONE))
                .hasMessageContaining("line 2: the file ends inside a UTF-8 character");
    }

    @Test
    void hashes_equalDigestsOfTheWholeFile() throws Exception {
        // given: more than one 1 MiB chunk, to cover the hand-over between chunks
        StringBuilder text = new StringBuilder("id,Col2\n");
        for (int i = 0; text.length() < 3_500_000; i++) {
            text.append(i).append(",\"row ").append(i).append(" ünïcödé, \"\"quoted\"\"\nsecond line\"\n");
        }
        Path file = write("hash.csv", text.toString());
        byte[] bytes = Files.readAllBytes(file);

        // when
        CsvCheck check = validator.validate(file, RULES, TransferListener.NONE);

        // then
        assertThat(check.sha256Hex()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(check.md5Base64()).isEqualTo(Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes)));
        assertThat(check.md5()).isEqualTo(MessageDigest.getInstance("MD5").digest(bytes));
        assertThat(check.bytes()).isEqualTo(bytes.length);
        assertThat(check.dataRows()).isEqualTo(text.toString().split("\n").length / 2);
    }

    @Test
    void validation_leavesTheFileUnchanged() throws IOException {
        // given
        Path file = write("keep.csv", "id,Col2\n1,a\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_600_000_000_000L));
        byte[] before = Files.readAllBytes(file);

        // when
        validator.validate(file, RULES, TransferListener.NONE);
        catchThrowableOfType(InputRejectedException.class,
                () -> validator.validate(file, InputRules.csv(List.of("other")), TransferListener.NONE));

        // then
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(1_600_000_000_000L);
    }

    @Test
    void progress_growsToTheFileSize() throws IOException {
        // given
        Path file = write("progress.csv", "id,Col2\n" + "1,some text\n".repeat(300_000));
        long size = Files.size(file);
        List<long[]> calls = new ArrayList<>();

        // when
        validator.validate(file, RULES, (done, total) -> calls.add(new long[] {done, total}));

        // then
        assertThat(calls).hasSizeGreaterThan(1);
        assertThat(calls).allSatisfy(call -> assertThat(call[1]).isEqualTo(size));
        for (int i = 1; i < calls.size(); i++) {
            assertThat(calls.get(i)[0]).isGreaterThan(calls.get(i - 1)[0]);
        }
        assertThat(calls.get(calls.size() - 1)[0]).isEqualTo(size);
    }

    @Test
    void nonAsciiDelimiter_isRefusedByTheRules() {
        // when / then
        assertThatThrownBy(() -> new InputRules(List.of(), '§', 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ASCII");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static byte[] concat(byte[] head, String tail) {
        return concat(head, tail.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = new byte[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
