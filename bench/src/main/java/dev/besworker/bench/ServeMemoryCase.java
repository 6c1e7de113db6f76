package dev.besworker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Case 7: serve's memory with 8 runs in flight, started as the README starts it (its systemd
 * unit's JVM options, {@link Options#serveJvm}, and {@code max-concurrent-jobs} 8): 8 files of
 * {@code --serve-size} bytes (100 MB by default, each larger than one block, so each run stages
 * its blocks while it validates) are dropped into an inbox at once, against this case's own
 * emulator (another JVM) and the shared Azurite. Figures: serve's peak RSS from its launch to its
 * stop after the last file, and the most files that were being worked on at once (claimed into
 * {@code .processing/}, sampled every 100 ms).
 */
final class ServeMemoryCase {

    private static final String DEFINITION = "memory";

    /** The figure before this work (issue 12). */
    static final String BEFORE = "774 MB before issue 12";

    private final Env env;

    ServeMemoryCase(Env env) {
        this.env = env;
    }

    void run() throws Exception {
        int files = env.options.concurrency();
        long size = env.options.serveSize();
        String area = "7 serve memory";
        Path dir = env.work.resolve("serve-memory");
        Path staging = dir.resolve("staging");
        Path inbox = dir.resolve("inbox");
        Path jobsDir = dir.resolve("jobs");
        String container = "bench-serve-memory";
        Files.createDirectories(staging);
        try (Emulator emulator = Emulator.start(env.jar, env.logs, "emulator-serve-memory", null);
                Proxy proxy = Proxy.start(emulator.uri())) {
            DataGen gen = new DataGen(env.root.resolve("sample-data/book-reviews.csv"));
            List<String> names = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                String name = String.format(Locale.ROOT, "big-%02d.csv", i);
                gen.write(staging.resolve(name), size, 7000 + i);
                names.add(name);
            }
            Worker worker = env.worker.withJobs(jobsDir);
            worker.define(DEFINITION, proxy.uri(), env.connectionString, container, dir.resolve("out"), null);
            Files.writeString(jobsDir.resolve(DEFINITION + ".yml"), "inbox: {dir: \"" + inbox
                    + "\", pattern: \"*.csv\", settle: 200ms}\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            List<String> command = new ArrayList<>();
            command.add(Proc.java());
            command.addAll(Options.serveJvm(env.options.workerJvm()));
            command.add("-Dbesworker.max-concurrent-jobs=" + files);
            command.add("-Dbesworker.inbox-poll-interval=200ms");
            command.addAll(List.of("-jar", env.jar.toString(), "--jobs-dir", jobsDir.toString(), "--data-dir",
                    dir.resolve("data").toString(), "serve", "--http-port", "0"));
            String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
            Env.log(area + ": " + files + " files of " + BigFileCase.label(size) + " into serve's inbox at once: "
                    + String.join(" ", command.subList(1, command.indexOf("-jar"))));
            Path log = env.logs.resolve("serve-memory");
            Proc serve = Proc.start(command, dir, log);
            SmallFilesCase.Drop drop;
            Proc.Result served;
            int mostAtOnce = 0;
            try {
                SmallFilesCase.awaitReady(serve, log, files, DEFINITION);
                Instant dropped = Instant.now();
                for (String name : names) {
                    Files.move(staging.resolve(name), inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                }
                Instant moved = Instant.now();
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                drop = null;
                while (System.nanoTime() < deadline && serve.process().isAlive()) {
                    mostAtOnce = Math.max(mostAtOnce, count(inbox.resolve(".processing")));
                    drop = SmallFilesCase.awaitFinished(serve, log, inbox, names, dropped, moved, Duration.ofMillis(100),
                            false);
                    if (drop != null) {
                        break;
                    }
                }
            }
            finally {
                served = SmallFilesCase.stop(serve, log);
            }
            if (drop == null) {
                env.table.missing(area, "serve peak RSS, " + files + " runs in flight", "did not finish; see " + log
                        + ".err", "≤ 400 MB");
                return;
            }
            double seconds = Duration.between(drop.dropped(), drop.done().values().stream().max(Instant::compareTo)
                    .orElse(drop.dropped())).toNanos() / 1e9;
            env.table.add(area, "serve peak RSS, " + files + " × " + BigFileCase.label(size) + " dropped at once, "
                    + files + " at a time", Table.mb(served.peakRssKb()), "before", BEFORE, "", "≤ 400 MB",
                    served.peakRssKb() * 1024 <= 400_000_000L);
            env.table.info(area, "  most runs in flight at once (.processing/); scored; seconds; load at start",
                    mostAtOnce + "; " + drop.done().size() + " of " + files + (drop.failed().isEmpty() ? ""
                            : " (" + drop.failed().size() + " failed)") + "; " + Table.seconds(seconds) + "; " + load);
            env.table.info(area, "  how launched", "serve, README's JVM options: "
                    + String.join(" ", Options.serveJvm(env.options.workerJvm())));
            Env.log(String.format(Locale.ROOT, "%s: serve peak RSS %s, at most %d in flight, %d of %d done in %.1f s",
                    area, Table.mb(served.peakRssKb()), mostAtOnce, drop.done().size(), files, seconds));
        }
        finally {
            if (!env.options.keep()) {
                env.dropContainer(container);
                Env.delete(dir);
            }
        }
    }

    private static int count(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }
}
