package dev.besworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Case 6: the README's main command as a new user types it, in a fresh clone of this
 * repository's committed state: {@code mvn -q -DskipTests package}, then the run command of
 * README "The two commands" (the embedded Azurite and emulator, the sample file), each run from
 * an empty {@code data/} and {@code output/} so that each one scores. The first run is the
 * launcher's first use (it extracts the jar and records the class-data archive) and is shown
 * apart; then the median of the rest. Beside it, {@code java -jar target/bes-worker.jar} as
 * typed before the launcher existed. Each run goes through {@code /usr/bin/time}: wall, CPU
 * (user + system, with the Azurite child) and the largest process's peak RSS.
 */
final class AsTypedCase {

    /** The README's run command, after {@code mvn ... package &&} (kept equal to README.md's first code block). */
    static final List<String> MAIN_COMMAND = List.of("target/bes-worker", "run", "book-reviews", "--input",
            "sample-data/book-reviews.csv");

    private final Env env;

    AsTypedCase(Env env) {
        this.env = env;
    }

    /** One run: wall and CPU seconds, peak RSS, and from its log the embedded services' start and stop (ms, -1: not logged). */
    private record Timed(double wall, double cpu, long rssKb, double servicesUp, double servicesDown) {
    }

    private static final Pattern SERVICES_UP = Pattern.compile(
            "Azurite on port \\d+ \\(ready after (\\d+) ms\\), BES emulator at \\S+ \\(ready after (\\d+) ms\\)");
    private static final Pattern SERVICES_DOWN = Pattern.compile("embedded services stopped in (\\d+) ms");

    void run() throws Exception {
        String area = "6 as typed";
        Path clone = env.work.resolve("clone");
        Env.delete(clone);
        try {
            measure(area, clone);
        }
        catch (IOException ex) {
            Env.log(area + ": FAILED: " + ex.getMessage());
            env.table.add(area, "README main command", "failed (see the log)", "", "", "", "≤ 6 s", false);
        }
        finally {
            if (!env.options.keep()) {
                Env.delete(clone);
            }
        }
    }

    private void measure(String area, Path clone) throws Exception {
        {
            exec(List.of("git", "clone", "-q", env.root.toString(), clone.toString()), env.work, "as-typed-clone");
            // Node packages from npm's cache, as `mvn package` installs them in a fresh clone.
            long t0 = System.nanoTime();
            exec(List.of("mvn", "-B", "-q", "-o", "-DskipTests", "package"), clone, "as-typed-build");
            Env.log(String.format(Locale.ROOT, "%s: fresh clone built in %.0f s", area, (System.nanoTime() - t0) / 1e9));

            Timed first = timed(clone, MAIN_COMMAND, "as-typed-first");
            double archive = StartupCase.awaitArchive(clone.resolve("target/bes-worker"));
            int runs = env.options.startupRuns();
            Timed typed = median(clone, MAIN_COMMAND, runs, "as-typed");
            env.table.add(area, "README main command, first run in a fresh clone (extracts, records the archive)",
                    Table.seconds(first.wall), "", "", "", "", null);
            if (archive > 0) {
                env.table.info(area, "  then the archive, made from what it recorded by the next start, in the background",
                        Table.seconds(archive));
            }
            env.table.add(area, "README main command (median of " + runs + "): wall", Table.seconds(typed.wall), "", "",
                    "", "≤ 6 s", typed.wall <= 6);
            env.table.add(area, "  CPU (user + system, Azurite included)", Table.seconds(typed.cpu), "", "", "", "≤ 8 s",
                    typed.cpu <= 8);
            env.table.info(area, "  peak RSS (largest process)", Table.mb(typed.rssKb));
            env.table.add(area, "  embedded services up (the later of Azurite and the emulator, from the launch of "
                    + "their start)", String.format(Locale.ROOT, "%.0f ms", typed.servicesUp), "", "", "", "≤ 1.5 s",
                    typed.servicesUp >= 0 && typed.servicesUp <= 1500);
            env.table.add(area, "  embedded services stopped", String.format(Locale.ROOT, "%.0f ms", typed.servicesDown), "", "", "", "≤ 0.5 s",
                    typed.servicesDown >= 0 && typed.servicesDown <= 500);
            if (env.options.startupVariants()) {
                List<String> plain = List.of("java", "-jar", "target/bes-worker.jar", "run", "book-reviews", "--input",
                        "sample-data/book-reviews.csv");
                Timed jar = median(clone, plain, Math.min(2, runs), "as-typed-jar");
                env.table.info(area, "  `java -jar target/bes-worker.jar run ...` (median of " + Math.min(2, runs)
                        + "): wall / CPU / RSS", Table.seconds(jar.wall) + " / " + Table.seconds(jar.cpu) + " / "
                        + Table.mb(jar.rssKb));
            }
        }
    }

    private Timed median(Path clone, List<String> command, int runs, String log) throws Exception {
        List<Double> walls = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> up = new ArrayList<>();
        List<Double> down = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Timed t = timed(clone, command, log + "-" + i);
            walls.add(t.wall);
            cpus.add(t.cpu);
            rss.add((double) t.rssKb);
            up.add(t.servicesUp);
            down.add(t.servicesDown);
        }
        return new Timed(SmallFilesCase.median(walls), SmallFilesCase.median(cpus),
                (long) SmallFilesCase.median(rss), SmallFilesCase.median(up), SmallFilesCase.median(down));
    }

    /** One run from an empty data and output folder, through /usr/bin/time. */
    private Timed timed(Path clone, List<String> command, String log) throws Exception {
        Env.delete(clone.resolve("data"));
        Env.delete(clone.resolve("output"));
        Path times = env.logs.resolve(log + ".time");
        List<String> timedCommand = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S %M"));
        timedCommand.addAll(command);
        Proc.Result result = exec(timedCommand, clone, log);
        String[] f = Files.readString(times).trim().split("\\s+");
        String output = result.out() + result.err();
        Matcher up = SERVICES_UP.matcher(output);
        Matcher down = SERVICES_DOWN.matcher(output);
        return new Timed(Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
                Long.parseLong(f[3]), up.find() ? Math.max(Long.parseLong(up.group(1)), Long.parseLong(up.group(2))) : -1,
                down.find() ? Long.parseLong(down.group(1)) : -1);
    }

    private Proc.Result exec(List<String> command, Path dir, String log) throws Exception {
        Proc.Result result = Proc.start(command, dir, env.logs.resolve(log)).await(Duration.ofMinutes(10));
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + result.exitCode() + "); see "
                    + result.stderr() + "\n" + Worker.tail(result.err()));
        }
        return result;
    }
}
