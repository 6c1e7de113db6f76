package dev.besworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Case 5: from launching {@code run} (a new JVM) to the first BES request arriving at the proxy,
 * with the emulator and Azurite already up; the input is the 69 KB sample file, so the time
 * includes the JVM and Spring start, loading the definition, validating and uploading that
 * file. Measured for the README's launcher ({@code target/bes-worker}, which maps the class-data
 * archive its first {@code run} recorded; the judged figure) and, for comparison, for
 * {@code java -jar target/bes-worker.jar} without options (one warm-up run each, then the
 * median of the rest, two for the comparison), and the launcher on a JDK 25 or later where one is
 * installed beside the default (its AOT cache; as many runs as the judged figure, shown beside it:
 * the judged figure is the JDK the README assumes, the harness's own).
 */
final class StartupCase {

    private final Env env;

    StartupCase(Env env) {
        this.env = env;
    }

    /**
     * A set-up measured; {@code compared}: shown beside the judged one with fewer runs;
     * {@code javaHome}: another JDK for the launcher, whose archive its first run records (null: the default).
     */
    private record Variant(String name, Worker worker, boolean compared, Path javaHome) {
    }

    private record Measured(double startup, double wall, long rssKb) {
    }

    /**
     * Makes the README's launcher {@link Env#worker}, so that every case runs the worker as the
     * README says, after its first use: that run (timed here, logged) extracts the jar and
     * records the class-data archive. Left as {@code java -jar} when the build made no launcher.
     */
    static void prepareRecommended(Env env) throws Exception {
        Path launcher = env.jar.resolveSibling("bes-worker");
        if (!Files.isExecutable(launcher)) {
            Env.log("no launcher " + launcher + ": the fat jar is measured");
            return;
        }
        Env.delete(env.jar.resolveSibling("bes-worker-app"));
        Path dir = env.work.resolve("first-use");
        Files.createDirectories(dir);
        Path input = dir.resolve("book-reviews.csv");
        Files.copy(env.root.resolve("sample-data/book-reviews.csv"), input, StandardCopyOption.REPLACE_EXISTING);
        Worker first = Worker.launcher(env.jar, dir.resolve("jobs"));
        first.define("startup", env.proxy.uri(), env.connectionString, "bench-startup", dir.resolve("out"), null);
        Proc.Result result = first.start("startup", input, dir.resolve("data"), env.logs.resolve("startup-first-use"),
                List.of()).await(Duration.ofMinutes(5));
        if (result.exitCode() != 0) {
            throw new IOException("the launcher's first run failed: " + Worker.tail(result.err()));
        }
        Env.log(String.format(Locale.ROOT, "launcher's first use (extracts the jar, records the archive): %.2f s",
                result.seconds()));
        Env.log(String.format(Locale.ROOT, "the archive made in the background from what it recorded: %.1f s",
                awaitArchive(launcher)));
        env.worker = Worker.launcher(env.jar, env.work.resolve("jobs"));
        env.dropContainer("bench-startup");
        if (!env.options.keep()) {
            Env.delete(dir);
        }
    }

    /**
     * On JDK 17 and 18 the launcher's first {@code run} records a class list, and the next start
     * makes the archive from it in the background: starts one ({@code --version}) and waits until
     * no list is left in {@code bes-worker-app/}, so that what is measured next maps the archive
     * and shares no CPU with its making. Returns the seconds waited (0 when nothing was recorded:
     * other JDKs write theirs at the recording run's exit).
     */
    static double awaitArchive(Path launcher) throws Exception {
        return awaitArchive(launcher, java.util.Map.of());
    }

    /** As {@link #awaitArchive(Path)}, the launcher run with these environment variables (JAVA_HOME). */
    static double awaitArchive(Path launcher, java.util.Map<String, String> environment) throws Exception {
        Path app = launcher.resolveSibling("bes-worker-app");
        if (!hasFile(app, ".classlist")) {
            return 0;
        }
        long t0 = System.nanoTime();
        Proc.Result claim = Proc.start(List.of(launcher.toString(), "--version"), launcher.getParent(),
                launcher.resolveSibling("archive-claim"), environment).await(Duration.ofMinutes(1));
        if (claim.exitCode() != 0) {
            throw new IOException("the launcher's --version failed: " + Worker.tail(claim.err()));
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (hasFile(app, ".list") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static boolean hasFile(Path dir, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(suffix));
        }
    }

    void run() throws Exception {
        String area = "5 start-up";
        Path dir = env.work.resolve("startup");
        Files.createDirectories(dir);
        Path input = dir.resolve("book-reviews.csv");
        Files.copy(env.root.resolve("sample-data/book-reviews.csv"), input, StandardCopyOption.REPLACE_EXISTING);
        Path jobsDir = dir.resolve("jobs");
        try {
            new Worker(env.jar, jobsDir, List.of()).define("startup", env.proxy.uri(), env.connectionString,
                    "bench-startup", dir.resolve("out"), null);
            List<Variant> variants = new ArrayList<>();
            if (env.options.startupVariants()) {
                variants.add(new Variant("`java -jar`, no options", new Worker(env.jar, jobsDir, List.of()), true, null));
            }
            boolean launcher = env.worker.launch().endsWith("bes-worker");
            Path jdk = launcher && env.options.startupVariants() ? newerJdk() : null;
            if (jdk != null) {
                variants.add(new Variant("the launcher on JDK " + feature(jdk) + " (its AOT cache)",
                        env.worker.withJobs(jobsDir).withJavaHome(jdk), false, jdk));
            }
            variants.add(new Variant(launcher ? "the launcher target/bes-worker" : env.worker.launch(),
                    env.worker.withJobs(jobsDir), false, null));
            Measured judged = null;
            String judgedName = null;
            for (Variant variant : variants) {
                boolean last = variant == variants.get(variants.size() - 1);
                // `java -jar` is shown for comparison only: fewer runs keep the harness within 15 minutes
                int runs = variant.compared ? Math.min(2, env.options.startupRuns()) : env.options.startupRuns();
                if (variant.javaHome != null) {
                    // its first run records, the next start makes the archive in the background: not measured
                    variant.worker.start("startup", input, dir.resolve("data"), env.logs.resolve("startup-record"),
                            List.of()).await(Duration.ofMinutes(3));
                    Env.log(String.format(Locale.ROOT, "%s: %s: archive made in %.1f s", area, variant.name,
                            awaitArchive(env.jar.resolveSibling("bes-worker"),
                                    java.util.Map.of("JAVA_HOME", variant.javaHome.toString()))));
                }
                Measured m = measure(variant, jobsDir, input, dir, runs);
                if (last) {
                    judged = m;
                    judgedName = variant.name;
                }
                else {
                    env.table.info(area, "  " + variant.name + ": launch → first BES request (median of " + runs + ")",
                            Table.seconds(m.startup));
                }
                Env.log(String.format(Locale.ROOT, "%s: %s: %.2f s to the first BES request, %.2f s whole run, RSS %d MB",
                        area, variant.name, m.startup, m.wall, m.rssKb / 1024));
            }
            env.table.add(area, "launch `run` → first BES request (median of " + env.options.startupRuns() + ", "
                    + judgedName + ")", Table.seconds(judged.startup), "", "", "", "≤ 1.5 s", judged.startup <= 1.5);
            env.table.info(area, "  whole run of the 69 KB sample (median)", Table.seconds(judged.wall));
        }
        finally {
            if (!env.options.keep()) {
                env.dropContainer("bench-startup");
                Env.delete(dir);
            }
        }
    }

    /**
     * A JDK of feature version 25 or later other than the harness's own, for the start-up beside the
     * judged one (the README assumes JDK 17 and says what JDK 25 gives): {@code BENCH_JDK25} if set,
     * else the first under {@code /usr/lib/jvm} whose {@code release} file says 25 or later; null if none.
     */
    static Path newerJdk() throws IOException {
        String given = System.getenv("BENCH_JDK25");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        Path own = Path.of(System.getProperty("java.home")).toRealPath();
        try (var homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                if (Files.isExecutable(home.resolve("bin/java")) && feature(home) >= 25 && !home.toRealPath().equals(own)) {
                    return home;
                }
            }
        }
        return null;
    }

    /** The JDK's feature version from its {@code release} file ({@code JAVA_VERSION="25.0.1"}), or 0. */
    static int feature(Path home) {
        try {
            return Files.readAllLines(home.resolve("release")).stream()
                    .filter(line -> line.startsWith("JAVA_VERSION=\""))
                    .map(line -> line.substring("JAVA_VERSION=\"".length()).split("[.\"]")[0])
                    .mapToInt(Integer::parseInt).findFirst().orElse(0);
        }
        catch (IOException | NumberFormatException ex) {
            return 0;
        }
    }

    private Measured measure(Variant variant, Path jobsDir, Path input, Path dir, int runs) throws Exception {
        Worker worker = variant.worker;
        Path dataDir = dir.resolve("data");
        List<Double> startups = new ArrayList<>();
        List<Double> walls = new ArrayList<>();
        long rss = 0;
        for (int i = 0; i <= runs; i++) {
            Proc proc = worker.start("startup", input, dataDir, env.logs.resolve("startup-" + i), List.of());
            Proc.Result result = proc.await(Duration.ofMinutes(3));
            if (result.exitCode() != 0) {
                throw new IOException("start-up run failed: " + Worker.tail(result.err()));
            }
            Proxy.Entry first = env.proxy.firstAfter(result.launchNanos());
            if (first == null) {
                throw new IOException("no BES request arrived during the start-up run");
            }
            if (i > 0) {
                startups.add((first.arrivedNanos() - result.launchNanos()) / 1e9);
                walls.add(result.seconds());
                rss = Math.max(rss, result.peakRssKb());
            }
        }
        return new Measured(SmallFilesCase.median(startups), SmallFilesCase.median(walls), rss);
    }
}
