package dev.besworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.reliability.Scenario.Definition;
import dev.besworker.reliability.WorkerJvm.Result;
import dev.besworker.support.EmulatorAdmin;

/**
 * Bad input and bad configuration through the command line: each is refused before any work
 * with the documented exit code and a message that names the file, the line and the fix; BES
 * is never called and nothing the user gave is changed. Odd but valid file names are accepted
 * and never lead a result out of the output folder.
 */
class BadInputIT {

    private static final String KEY = "bad-input-test-key";
    private static final Path BAD = Path.of("sample-data/bad").toAbsolutePath();

    private static AzuriteProcess azurite;
    private static BesEmulator emulator;
    private static EmulatorAdmin admin;
    private static Scenario scenario;
    private static Definition definition;

    @BeforeAll
    static void startServices() throws Exception {
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
        scenario = new Scenario(Scenario.workDir(BadInputIT.class));
        definition = scenario.definition("reviews", emulator.baseUri().toString(), KEY, azurite.connectionString())
                // the corpus's long record is 289 bytes; the default limit (1 MiB) is tested in staging
                .maxRecordSize("256B");
        definition.write(scenario.jobsDir);
    }

    @AfterAll
    static void stopServices() {
        emulator.close();
        azurite.close();
    }

    @BeforeEach
    void resetEmulator() {
        admin.reset();
    }

    static Stream<Arguments> badCorpus() {
        return Stream.of(
                Arguments.of("empty.csv", 0, "header line"),
                Arguments.of("header-only.csv", 1, "export the data again"),
                Arguments.of("missing-column.csv", 1, "input.required-columns"),
                Arguments.of("wrong-delimiter.csv", 1, "set input.delimiter: \";\""),
                Arguments.of("unbalanced-quote.csv", 3, "close the quote"),
                Arguments.of("ragged-rows.csv", 7, "give every row 2 fields"),
                Arguments.of("invalid-utf8.csv", 3, "as UTF-8"),
                Arguments.of("nul-bytes.csv", 3, "as UTF-8 text"),
                Arguments.of("long-record.csv", 3, "input.max-record-size"),
                Arguments.of("duplicate-header.csv", 1, "unique name"),
                Arguments.of("trailing-delimiter.csv", 1, "remove the trailing \",\""),
                Arguments.of("stray-quote.csv", 2, "double the quotes"));
    }

    @Test
    void theCorpusTableCoversEveryFileOfSampleDataBad() throws IOException {
        // given
        List<String> tested = badCorpus().map(arguments -> (String) arguments.get()[0]).sorted().toList();

        // when
        List<String> present;
        try (Stream<Path> files = Files.list(BAD)) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".csv")).sorted().toList();
        }

        // then
        assertThat(tested).isEqualTo(present);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCorpus")
    void badCorpusFile_exits3_namingFileLineAndFix_withoutCallingBes_orChangingTheFile(String name, int line, String fix)
            throws Exception {
        // given
        Path file = BAD.resolve(name);
        String before = fingerprint(file);

        // when
        Result result = Cli.run(scenario, "run", "reviews", "--input", file.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        String expectedStart = "error: " + file + ": " + (line > 0 ? "line " + line + ": " : "");
        assertThat(result.stderr()).as(result.toString()).startsWith(expectedStart).contains(". Fix: ").contains(fix);
        assertNoWork(file, before);
    }

    @Test
    void directory_exits3_sayingToNameTheFile() throws Exception {
        // given
        Path dir = Files.createDirectories(scenario.root.resolve("a folder"));

        // when
        Result result = Cli.run(scenario, "run", "reviews", "--input", dir.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.stderr()).startsWith("error: " + dir + ": this is a directory, not a file. Fix: name the CSV");
        assertThat(admin.requests("submit")).isZero();
    }

    @Test
    void missingFile_exits3_sayingItDoesNotExist() throws Exception {
        // given
        Path missing = scenario.root.resolve("nowhere.csv");

        // when
        Result result = Cli.run(scenario, "run", "reviews", "--input", missing.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.stderr()).startsWith("error: " + missing + ": the file does not exist. Fix: check the path");
        assertThat(admin.requests("submit")).isZero();
    }

    @Test
    void danglingSymlink_exits3_namingWhereItPoints() throws Exception {
        // given
        Path target = scenario.root.resolve("gone.csv");
        Path link = Files.createSymbolicLink(scenario.root.resolve("dangling.csv"), target);

        // when
        Result result = Cli.run(scenario, "run", "reviews", "--input", link.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.stderr()).startsWith("error: " + link + ": this is a symbolic link to " + target
                + ", which does not exist. Fix: ");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(admin.requests("submit")).isZero();
    }

    @Test
    void loopingSymlink_exits3_sayingItLoops() throws Exception {
        // given
        Path first = scenario.root.resolve("loop-a.csv");
        Path second = scenario.root.resolve("loop-b.csv");
        Files.createSymbolicLink(first, second);
        Files.createSymbolicLink(second, first);

        // when
        Result result = Cli.run(scenario, "run", "reviews", "--input", first.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.stderr()).startsWith("error: " + first + ": this is a symbolic link that loops back on itself")
                .contains(". Fix: ");
        assertThat(admin.requests("submit")).isZero();
    }

    @Test
    void unreadableFile_exits3_forAnUnprivilegedUser() throws Exception {
        // given: the jar, a definition and a locked file where the user nobody can reach them
        // (as root, CI could read any file: the check would prove nothing)
        Path home = Files.createTempDirectory("bes-worker-nobody");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Scenario locked = new Scenario(home);
        Path jar = Files.copy(WorkerJvm.JAR, home.resolve("bes-worker.jar"));
        scenario.definition("reviews", emulator.baseUri().toString(), KEY, azurite.connectionString()).write(locked.jobsDir);
        Path file = Files.writeString(home.resolve("locked.csv"), "Col2\nThis is a good day\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        for (Path path : List.of(jar, locked.jobsDir.resolve("reviews.yml"))) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
        }
        for (Path dir : List.of(locked.jobsDir, locked.dataDir)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        WorkerJvm worker = new WorkerJvm(locked);
        if (isRoot()) {
            worker.prefix(dropPrivileges(), Path.of(System.getProperty("java.home"), "bin", "java"), jar);
        }

        // when
        Result result;
        try {
            result = worker.run("run", "reviews", "--input", file.toString());
        }
        finally {
            deleteTree(home);
        }

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.stderr()).contains("error: " + file + ": the file cannot be read (permission denied). Fix: ");
        assertThat(admin.requests("submit")).isZero();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"my reviews (v2) naïve café.final.csv", "..\\..\\escape attempt.csv", ".hidden..csv",
            "—.csv"})
    void oddButValidNames_areScoredIntoSafeNamesInsideTheOutputFolder(String name) throws Exception {
        // given
        Path dir = Files.createDirectories(scenario.root.resolve("names"));
        Path input = Files.writeString(dir.resolve(name), "ReviewId,Col2\nR1,This is a good day\nR2,\"" + name
                .replace("\"", "\"\"") + "\"\n", StandardCharsets.UTF_8);
        Path outputDir = scenario.root.resolve("names-out-" + Integer.toHexString(name.hashCode()));

        // when
        Result result = Cli.run(scenario, "run", "reviews", "--input", input.toString(), "--output-dir",
                outputDir.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<Path> outputs;
        try (Stream<Path> files = Files.list(outputDir)) {
            outputs = files.toList();
        }
        assertThat(outputs).hasSize(1);
        String outputName = outputs.get(0).getFileName().toString();
        assertThat(outputName).endsWith(".output1.csv").doesNotStartWith(".").doesNotContain("..", "/", "\\", " ");
        assertThat(result.stdout()).contains("output: " + outputs.get(0));
        assertThat(Files.readString(outputs.get(0))).startsWith("ReviewId,Col2,Col2_HashingFeature.0");
        List<String> blobs = new ArrayList<>(admin.submitsByInput("/reviews/").keySet());
        assertThat(blobs).hasSize(1);
        String blobFileName = blobs.get(0).substring(blobs.get(0).lastIndexOf('/') + 1);
        assertThat(blobFileName).matches("[\\p{L}\\p{N}._-]+").doesNotStartWith(".").doesNotContain("..");
        assertThat(Files.readString(input)).as("the input is untouched").contains(name.replace("\"", "\"\""));
    }

    // ------------------------------------------------------------------ definitions

    @Test
    void badDefinition_isRefusedBeforeAnyWork_oneLinePerProblem_exit2() throws Exception {
        // given: an unknown key, no endpoint and a malformed connection string in one file
        Path file = scenario.jobsDir.resolve("broken.yml");
        Files.write(file, List.of(
                "bes:",
                "  workspace: " + Scenario.WORKSPACE,
                "  service: " + Scenario.SERVICE,
                "  api-key: \"" + KEY + "\"",
                "  retries: 3",
                "input: {name: input1, required-columns: [Col2]}",
                "outputs: [output1]",
                "storage:",
                "  connection-string: \"AccountName=x;this is not a connection string\"",
                "  container: bes-staging"), StandardCharsets.UTF_8);
        Path input = Path.of("sample-data/book-reviews.csv").toAbsolutePath();
        String before = fingerprint(input);

        // when
        Result result = Cli.run(scenario, "run", "broken", "--input", input.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        List<String> lines = result.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(result.toString()).hasSize(3).allSatisfy(line -> assertThat(line)
                .startsWith("error: " + shown(file) + ": "));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("bes.retries").contains("line 5"))
                .anySatisfy(line -> assertThat(line).contains("bes.endpoint"))
                .anySatisfy(line -> assertThat(line).contains("storage.connection-string").contains("line 9"));
        assertThat(result.stderr()).doesNotContain("this is not a connection string");
        assertNoWork(input, before);
    }

    @Test
    void plainHttpEndpointToAnotherHost_isRefused_exit2() throws Exception {
        // given
        Definition remote = scenario.definition("cleartext", "http://bes.example.com", KEY, azurite.connectionString());
        remote.write(scenario.jobsDir);
        Path input = Path.of("sample-data/book-reviews.csv").toAbsolutePath();
        String before = fingerprint(input);

        // when
        Result result = Cli.run(scenario, "run", "cleartext", "--input", input.toString());

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        List<String> lines = result.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("error: " + shown(scenario.jobsDir.resolve("cleartext.yml")) + ": ")
                .contains("bes.endpoint").contains("http:// to bes.example.com would send the API key in clear")
                .contains("https://");
        assertNoWork(input, before);
    }

    // ------------------------------------------------------------------ helpers

    /** No call reached BES, no run was recorded for the file, and the file is as it was. */
    private static void assertNoWork(Path file, String before) throws Exception {
        assertThat(admin.counter("submits")).isZero();
        assertThat(admin.counters().path("requests").size()).as("no BES call of any kind").isZero();
        assertThat(fingerprint(file)).as("the input is unchanged").isEqualTo(before);
    }

    /** A definition file as problem lines name it: relative to the working folder. */
    private static Path shown(Path file) {
        return Path.of("").toAbsolutePath().relativize(file);
    }

    /** Content hash, size and modification time. */
    private static String fingerprint(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        FileTime modified = Files.getLastModifiedTime(file);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)) + "/" + bytes.length + "/"
                + modified.toMillis();
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        id.waitFor(10, TimeUnit.SECONDS);
        return "0".equals(out);
    }

    /** A prefix that runs a command as nobody; fails (never skips) when the system offers none. */
    private static List<String> dropPrivileges() throws IOException, InterruptedException {
        for (List<String> candidate : List.of(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
                List.of("runuser", "-u", "nobody", "--"))) {
            List<String> probe = new ArrayList<>(candidate);
            probe.add("true");
            try {
                Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
                process.getInputStream().readAllBytes();
                if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) {
                    return candidate;
                }
            }
            catch (IOException notInstalled) {
                // try the next tool
            }
        }
        throw new IllegalStateException("running as root, but neither setpriv nor runuser can run a command as "
                + "nobody: the unreadable-file check cannot be tested here");
    }
}
