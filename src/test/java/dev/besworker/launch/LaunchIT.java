package dev.besworker.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java -jar bes-worker.jar} as users type it, on copies of the built jar: the first start
 * unpacks it beside itself and the worker's classes then load from the unpacked jars (the JVM's
 * class-loading log says from where); a changed jar is unpacked again; starts racing to unpack
 * all succeed; a jar in a folder it cannot write still runs, from the jar itself; one-shot
 * commands use the Spring context the build prepared, unless asked not to; on JDK 17 the launcher
 * script's class-data archive is made from the first run's class list, in the background; the
 * launcher gives short commands the quick compiler alone.
 */
class LaunchIT {

    private static final Path JAR = Path.of("target/bes-worker.jar").toAbsolutePath();

    @TempDir
    Path dir;

    /** The JDK the launcher runs ({@code JAVA_HOME}): the tests' own unless a test picks another. */
    private Path javaHome = Path.of(System.getProperty("java.home"));

    record Result(int exitCode, String stdout, String stderr) {
    }

    @Test
    void firstStart_unpacksBesideTheJar_andLaterStartsRunFromTheUnpackedJarsWithoutUnpacking() throws Exception {
        // given
        Path jar = copyOfTheJar(dir);

        // when
        Result first = java(jar, List.of("-Xlog:class+load=info:stdout"), "--version");
        Result second = java(jar, List.of("-Xlog:class+load=info:stdout"), "--version");

        // then
        Path app = dir.resolve("bes-worker-app");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stderr()).contains("unpacking bes-worker.jar into " + app);
        assertThat(first.stdout()).contains("bes-worker 0.1.0");
        assertThat(app.resolve("extracted")).isRegularFile();
        assertThat(app.resolve("bes-worker.jar")).isRegularFile();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stderr()).doesNotContain("unpacking");
        assertThat(second.stdout()).contains("bes-worker 0.1.0")
                .contains("source: file:" + app.resolve("lib") + "/picocli-")
                .contains("dev.besworker.BesWorkerApplication source: file:" + app.resolve("bes-worker.jar"))
                .doesNotContain("jar:nested:");
    }

    @Test
    void theUnpackedSdkJars_haveNoSignatureFiles_soClassDataSharingCanArchiveThem() throws Exception {
        // given
        Path jar = copyOfTheJar(dir);

        // when
        Result result = java(jar, List.of(), "--version");

        // then
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<Path> azure;
        try (Stream<Path> libs = Files.list(dir.resolve("bes-worker-app/lib"))) {
            azure = libs.filter(lib -> lib.getFileName().toString().startsWith("azure-core-")).toList();
        }
        assertThat(azure).isNotEmpty();
        for (Path lib : azure) {
            try (ZipFile zip = new ZipFile(lib.toFile())) {
                assertThat(zip.stream().map(entry -> entry.getName()))
                        .as(lib.toString())
                        .contains("META-INF/MANIFEST.MF")
                        .noneMatch(name -> name.matches("META-INF/[^/]+\\.(SF|RSA|EC)"));
            }
        }
    }

    @Test
    void aJarNewerThanItsUnpackedCopy_isUnpackedAgain() throws Exception {
        // given
        Path jar = copyOfTheJar(dir);
        assertThat(java(jar, List.of(), "--version").exitCode()).isZero();
        Path marker = dir.resolve("bes-worker-app/extracted");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(marker).toMillis() + 60_000));

        // when
        Result result = java(jar, List.of(), "--version");

        // then
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stderr()).contains("unpacking");
        assertThat(Files.getLastModifiedTime(marker)).isGreaterThanOrEqualTo(Files.getLastModifiedTime(jar));
    }

    @Test
    void startsRacingToUnpack_allSucceed_andLeaveOneUnpackedCopy() throws Exception {
        // given
        Path jar = copyOfTheJar(dir);

        // when
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(start(jar, List.of(), i, "--version"));
        }

        // then
        for (int i = 0; i < processes.size(); i++) {
            Result result = finish(processes.get(i), i);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).contains("bes-worker 0.1.0");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("bes-worker-app")))
                    .containsExactly("bes-worker-app");
        }
    }

    @Test
    void aJarInAFolderItCannotWrite_runsFromTheJarItself() throws Exception {
        // given: a folder only its owner, root, may write; the JVM runs as nobody when the test runs as root
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Path jar = copyOfTheJar(readOnly);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> prefix = isRoot() ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--")
                : List.of();

        // when
        Result result;
        try {
            Process process = new ProcessBuilder(command(prefix, jar, List.of("-Xlog:class+load=info:stdout"), "--version"))
                    .redirectOutput(dir.resolve("out-ro.txt").toFile()).redirectError(dir.resolve("err-ro.txt").toFile())
                    .directory(Path.of("/").toFile()).start();
            result = finish(process, "ro");
        }
        finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        // then
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("bes-worker 0.1.0").contains("jar:nested:");
        assertThat(readOnly.resolve("bes-worker-app")).doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "from the jar, '', true", "-Dspring.aot.enabled=false, -Dspring.aot.enabled=false, false" })
    void aOneShotCommand_usesTheContextTheBuildPrepared_unlessAskedToBuildItAtStart(String caseName, String option,
            boolean prepared) throws Exception {
        // given
        Path jar = copyOfTheJar(dir);
        List<String> options = new ArrayList<>(List.of("-Xlog:class+load=info:stdout"));
        if (!option.isEmpty()) {
            options.add(option);
        }

        // when: list opens the job repository, as every one-shot command does
        Result result = java(jar, options, "--data-dir", dir.resolve("data").toString(), "--jobs-dir",
                dir.resolve("jobs").toString(), "list");

        // then
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String initializer = "dev.besworker.WorkerContext__ApplicationContextInitializer source:";
        String parser = "org.springframework.context.annotation.ConfigurationClassParser source:";
        if (prepared) {
            assertThat(result.stdout()).contains(initializer).doesNotContain(parser);
        }
        else {
            assertThat(result.stdout()).contains(parser).doesNotContain(initializer);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(ints = { 17, 25 })
    void theFirstRunRecords_theNextStartMakesTheArchiveInTheBackground_andLaterStartsMapIt(int feature)
            throws Exception {
        // JDK 17 (the CI's) records a class list for a CDS archive, JDK 25 (installed beside it) an AOT configuration
        javaHome = jdk(feature);
        assumeTrue(javaHome != null, "a JDK " + feature + " is installed");
        String archive = "java-" + feature + ".jsa";
        // given: the launcher beside a copy of the jar
        copyOfTheJar(dir);
        Path launcher = Files.copy(JAR.resolveSibling("bes-worker"), dir.resolve("bes-worker"));
        Path app = dir.resolve("bes-worker-app");

        // when: a first run (of a job that does not exist: it still starts the worker and exits)
        Result first = launcher(launcher, "run", "nowhere", "--input", "missing.csv");

        // then: it recorded what it loaded and no archive, and its stdout holds nothing but the command's
        assertThat(first.exitCode()).as(first.toString()).isNotZero();
        assertThat(first.stderr()).contains("no job named nowhere");
        assertThat(first.stdout()).as(first.toString()).isEmpty();
        assertThat(filesEndingWith(app, ".classlist")).hasSize(1);
        assertThat(app.resolve(archive)).doesNotExist();

        // when: the next start, then the archive's making in the background
        Result second = launcher(launcher, "--version");
        Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> Files.exists(app.resolve(archive)));

        // then: the recording was taken, nothing failed, and a later start maps the worker's classes from the archive
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout()).startsWith("bes-worker 0.1.0").hasLineCount(1);
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> filesEndingWith(app, ".list").isEmpty() && filesEndingWith(app, ".part").isEmpty());
        assertThat(filesEndingWith(app, ".classlist")).isEmpty();
        assertThat(app.resolve("java-" + feature + ".failed")).doesNotExist();
        Result third = launcher(launcher, "run", "nowhere", "--input", "missing.csv");
        assertThat(third.stderr()).contains("no job named nowhere");
        Path classLog = dir.resolve("class-load.txt");
        Result mapped = launcherWith(launcher, "-Xlog:class+load=info:file=" + classLog, "--version");
        assertThat(mapped.exitCode()).as(mapped.toString()).isZero();
        assertThat(Files.readString(classLog))
                .contains("dev.besworker.BesWorkerApplication source: shared objects file");
        assertThat(filesEndingWith(app, ".classlist")).as("nothing is recorded once the archive exists").isEmpty();
    }

    /**
     * The home of a JDK of this feature version: the one running the tests, or one under
     * /usr/lib/jvm (Debian's place, where these machines keep Temurin 25 beside the default); null if none.
     */
    private static Path jdk(int feature) throws IOException {
        if (Runtime.version().feature() == feature) {
            return Path.of(System.getProperty("java.home"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                Path release = home.resolve("release");
                if (Files.isExecutable(home.resolve("bin/java")) && Files.isRegularFile(release)
                        && Files.readString(release).contains("JAVA_VERSION=\"" + feature + ".")) {
                    return home;
                }
            }
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a run of a small input       | run nowhere --input small.csv           | QUICK
            NAME=FILE, --input=          | run nowhere --input=input1=small.csv    | QUICK
            list                         | list                                    | QUICK
            a run of a 40 MB input       | run nowhere --input big.csv             | BOTH
            small and big together       | run nowhere --input small.csv --input big.csv | BOTH
            an input that is not a file  | run nowhere --input missing.csv         | BOTH
            restart                      | restart 1                               | BOTH
            serve                        | serve --help                            | C2
            """)
    void theLauncher_givesAShortCommandTheQuickCompilerAlone_serveC2Alone_andEveryOtherBothCompilers(String caseName,
            String arguments, Compilers compilers) throws Exception {
        // given: the launcher beside a copy of the jar, a small and a 40 MB input (sparse)
        copyOfTheJar(dir);
        Path launcher = Files.copy(JAR.resolveSibling("bes-worker"), dir.resolve("bes-worker"));
        Files.writeString(dir.resolve("small.csv"), "Col1,Col2\n1,2\n");
        try (var big = new java.io.RandomAccessFile(dir.resolve("big.csv").toFile(), "rw")) {
            big.setLength(40L * 1024 * 1024);
        }

        // when: the JVM prints the options it was given
        Result result = launcherWith(launcher, "-XX:+PrintCommandLineFlags", arguments.split(" "));

        // then
        String flags = result.stderr().lines().filter(line -> line.contains("-XX:")).findFirst().orElse("");
        switch (compilers) {
            case QUICK -> assertThat(flags).as(result.toString()).contains("-XX:TieredStopAtLevel=1",
                    "-XX:CICompilerCount=1").doesNotContain("Tier4InvocationThreshold", "-XX:-TieredCompilation");
            case BOTH -> assertThat(flags).as(result.toString()).contains("-XX:Tier4InvocationThreshold=100000")
                    .doesNotContain("TieredStopAtLevel", "CICompilerCount", "-XX:-TieredCompilation");
            case C2 -> assertThat(flags).as(result.toString()).contains("-XX:-TieredCompilation")
                    .doesNotContain("TieredStopAtLevel", "CICompilerCount", "Tier4InvocationThreshold");
        }
    }

    /** Which compilers the launcher gives a command. */
    enum Compilers {
        /** C1 alone, on one thread. */
        QUICK,
        /** C1 and C2, C2 for code that runs 100,000 times. */
        BOTH,
        /** C2 alone (serve). */
        C2
    }

    @Test
    void aShortCommand_getsBothCompilers_whenTheUsersOptionsAskForThem() throws Exception {
        // given: the launcher beside a copy of the jar
        copyOfTheJar(dir);
        Path launcher = Files.copy(JAR.resolveSibling("bes-worker"), dir.resolve("bes-worker"));

        // when: a short command with the README's way to give it both compilers
        Result result = launcherWith(launcher, "-XX:+PrintCommandLineFlags -XX:TieredStopAtLevel=4", "--version");

        // then: the JVM starts (it refuses one compiler thread for both compilers) with the user's choice last
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String flags = result.stderr().lines().filter(line -> line.contains("-XX:")).findFirst().orElse("");
        assertThat(flags).as(result.toString()).contains("-XX:TieredStopAtLevel=4").doesNotContain("CICompilerCount");
        assertThat(result.stdout()).contains("bes-worker 0.1.0");
    }

    private Result launcher(Path launcher, String... args) throws Exception {
        return launcherWith(launcher, "", args);
    }

    private Result launcherWith(Path launcher, String javaOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "--data-dir", dir.resolve("data").toString(),
                "--jobs-dir", dir.resolve("jobs").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out-launcher.txt").toFile())
                .redirectError(dir.resolve("err-launcher.txt").toFile());
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().put("BES_WORKER_JAVA_OPTS", javaOptions);
        return finish(builder.start(), "launcher");
    }

    private static List<Path> filesEndingWith(Path folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private static Path copyOfTheJar(Path folder) throws IOException {
        return Files.copy(JAR, folder.resolve("bes-worker.jar"));
    }

    private Result java(Path jar, List<String> jvmOptions, String... args) throws Exception {
        return finish(start(jar, jvmOptions, "one", args), "one");
    }

    private Process start(Path jar, List<String> jvmOptions, Object name, String... args) throws IOException {
        return new ProcessBuilder(command(List.of(), jar, jvmOptions, args))
                .redirectOutput(dir.resolve("out-" + name + ".txt").toFile())
                .redirectError(dir.resolve("err-" + name + ".txt").toFile()).start();
    }

    private static List<String> command(List<String> prefix, Path jar, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private Result finish(Process process, Object name) throws Exception {
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), Files.readString(dir.resolve("out-" + name + ".txt")),
                Files.readString(dir.resolve("err-" + name + ".txt")));
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        id.waitFor(10, TimeUnit.SECONDS);
        return "0".equals(out);
    }
}
