package dev.besworker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import dev.besworker.embedded.AzuriteProcess;

/**
 * The performance harness (issue 5): generates its data, runs the five cases against one Azurite
 * and BES emulators started here, and prints one table. Run it with {@code bench/run.sh}; see
 * README.md, "Performance". The polling case (a 10-minute remote job) runs in the background while the
 * others run one after another, so that their timings do not disturb each other.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path root = Path.of("").toAbsolutePath();
        Path jar = root.resolve("target/bes-worker.jar");
        Path work = root.resolve("target/bench/work");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the jar first: mvn -DskipTests package");
        }
        Env.delete(work);
        Files.createDirectories(work.resolve("logs"));
        long started = System.nanoTime();
        String machine = machine(work);
        System.out.println(machine);
        checkDisk(work, options);

        Table table = new Table();
        PollingCase polling = null;
        // What ran the worker: the launcher (its own JVM options) unless the build made none.
        String workerLaunch = "java " + String.join(" ", options.workerJvm()) + " -jar " + jar;
        try (AzuriteProcess azurite = AzuriteProcess.start(work.resolve("azurite"));
                Emulator emulator = Emulator.start(jar, work.resolve("logs"), "emulator-main", null);
                Proxy proxy = Proxy.start(emulator.uri());
                Closer closer = new Closer()) {
            emulator.watch(Duration.ofMillis(50));
            Worker worker = new Worker(jar, work.resolve("jobs"), options.workerJvm());
            Env env = new Env(root, jar, work, azurite.connectionString(), azurite.blobEndpoint(), worker, emulator,
                    proxy, table, options, azurite.pid());
            Env.log("Azurite on port " + azurite.port() + " (data in " + work.resolve("azurite") + "), emulator at "
                    + emulator.uri() + " behind the recording proxy " + proxy.uri());
            StartupCase.prepareRecommended(env);
            workerLaunch = env.worker.launch();
            Env.log("worker: " + workerLaunch);
            if (options.cases().contains(4)) {
                polling = new PollingCase(env);
                closer.add(polling);
                polling.start();
            }
            if (options.cases().contains(5)) {
                new StartupCase(env).run();
            }
            if (options.cases().contains(6)) {
                new AsTypedCase(env).run();
            }
            DataGen gen = new DataGen(root.resolve("sample-data/book-reviews.csv"));
            boolean hashed = false;
            for (long size : options.sizes()) {
                if (!options.cases().contains(1) && (hashed || !options.cases().contains(2))) {
                    break;
                }
                Path file = work.resolve("big-" + BigFileCase.label(size).replace(" ", "") + ".csv");
                long t0 = System.nanoTime();
                long rows = gen.write(file, size, size);
                Env.log(String.format(Locale.ROOT, "generated %s: %,d bytes, %,d rows in %.1f s", file.getFileName(),
                        size, rows, (System.nanoTime() - t0) / 1e9));
                try {
                    if (options.cases().contains(2) && !hashed) {
                        Env.log("2 emulator hashing over " + file.getFileName());
                        HashingCase.Result r = HashingCase.run(file);
                        double ratio = r.hashRowsPerSecond() / r.bareRowsPerSecond();
                        String area = "2 emulator " + BigFileCase.label(size);
                        table.add(area, "Feature Hashing rows/s (FeatureHashingTransform)",
                                Table.rate(r.hashRowsPerSecond(), "rows/s"), "bare Commons CSV read",
                                Table.rate(r.bareRowsPerSecond(), "rows/s"), Table.ratio(ratio), "≥ 0.50 × bare",
                                ratio >= 0.5);
                        table.info(area, "  rows; seconds hashing / bare", String.format(Locale.ROOT, "%,d; %.1f / %.1f",
                                r.rows(), r.hashSeconds(), r.bareSeconds()));
                        Env.log(String.format(Locale.ROOT, "2 emulator: %,.0f rows/s hashing vs %,.0f rows/s bare (%.2f)",
                                r.hashRowsPerSecond(), r.bareRowsPerSecond(), ratio));
                        hashed = true;
                    }
                    if (options.cases().contains(1)) {
                        new BigFileCase(env).run(file, size);
                    }
                }
                finally {
                    if (!options.keep()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
            if (options.cases().contains(3)) {
                new SmallFilesCase(env).run();
            }
            if (options.cases().contains(7)) {
                new ServeMemoryCase(env).run();
            }
            if (polling != null) {
                Env.log("waiting for the polling case's job to end");
                polling.finish();
            }
        }
        catch (Exception | Error ex) {
            System.out.println("The harness failed: " + ex);
            throw ex;
        }
        finally {
            if (!options.keep()) {
                Env.delete(work.resolve("azurite"));
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String rendered = table.render();
        String report = machine + "\n" + String.format(Locale.ROOT, "Harness wall time: %.1f min; worker: %s%n%n",
                minutes, workerLaunch) + rendered;
        Files.writeString(work.getParent().resolve("results.md"), report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.printf("%d targets passed, %d failed; table also in %s%n", table.passes(), table.failures(),
                work.getParent().resolve("results.md"));
        System.exit(0);
    }

    private static String machine(Path work) throws IOException {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.exists(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        }
        long memKb = 0;
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.exists(meminfo)) {
            memKb = Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
        }
        String load = Files.exists(Path.of("/proc/loadavg")) ? Files.readString(Path.of("/proc/loadavg")).trim() : "?";
        FileStore store = Files.getFileStore(work);
        return String.format(Locale.ROOT, "Machine: %d CPUs (%s), %.1f GiB RAM, %s free on the work disk; Java %s; "
                + "load average at start %s; %s", Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0,
                gib(store.getUsableSpace()), System.getProperty("java.version"), load,
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16));
    }

    private static void checkDisk(Path work, Options options) throws IOException {
        long biggest = options.sizes().stream().mapToLong(Long::longValue).max().orElse(0);
        // The input file, its blob, the result blob (about 1.15× the input), the downloaded result,
        // and one baseline copy at a time; Azurite frees deleted blobs' extents lazily, so count twice.
        long needed = (long) (biggest * 6.5);
        long free = Files.getFileStore(work).getUsableSpace();
        if (free < needed) {
            throw new IllegalStateException("the work disk has " + gib(free) + " free; the big-file case needs about "
                    + gib(needed) + " (use --sizes to measure smaller files)");
        }
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }

    /** Closes what was added, last first, before Azurite and the emulator go away. */
    private static final class Closer implements AutoCloseable {
        private final java.util.Deque<AutoCloseable> items = new java.util.ArrayDeque<>();

        void add(AutoCloseable item) {
            items.push(item);
        }

        @Override
        public void close() {
            while (!items.isEmpty()) {
                try {
                    items.pop().close();
                }
                catch (Exception ex) {
                    System.out.println("cleanup failed: " + ex);
                }
            }
        }
    }
}
