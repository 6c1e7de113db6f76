package dev.besworker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the harness with its output in files, its wall time measured from just
 * before it was launched, and its peak resident set size (VmHWM from /proc, sampled every 20 ms
 * until it exits: the kernel keeps the peak, so only growth in the last sample interval can be
 * missed).
 */
final class Proc {

    /** How a child ended. */
    record Result(int exitCode, long launchNanos, long endNanos, long peakRssKb, double cpuSeconds, Path stdout,
            Path stderr) {
        double seconds() {
            return (endNanos - launchNanos) / 1e9;
        }

        String out() throws IOException {
            return Files.readString(stdout, StandardCharsets.UTF_8);
        }

        String err() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }
    }

    private final Process process;
    private final long launchNanos;
    private final Path stdout;
    private final Path stderr;
    private volatile long peakRssKb;
    /** User + system CPU of the process at its last sample (at most 20 ms before its end). */
    private volatile double cpuSeconds;
    private final Thread sampler;

    private Proc(Process process, long launchNanos, Path stdout, Path stderr) {
        this.process = process;
        this.launchNanos = launchNanos;
        this.stdout = stdout;
        this.stderr = stderr;
        this.sampler = new Thread(this::sample, "rss-" + process.pid());
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Launches {@code command} in {@code dir}, output to {@code logPrefix}.out / .err. */
    static Proc start(List<String> command, Path dir, Path logPrefix) throws IOException {
        return start(command, dir, logPrefix, java.util.Map.of());
    }

    /** As {@link #start(List, Path, Path)}, with extra environment variables. */
    static Proc start(List<String> command, Path dir, Path logPrefix, java.util.Map<String, String> env)
            throws IOException {
        Files.createDirectories(logPrefix.toAbsolutePath().getParent());
        Path out = Path.of(logPrefix + ".out");
        Path err = Path.of(logPrefix + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        long launch = System.nanoTime();
        Process process = builder.start();
        return new Proc(process, launch, out, err);
    }

    long pid() {
        return process.pid();
    }

    long launchNanos() {
        return launchNanos;
    }

    Process process() {
        return process;
    }

    /** Waits for the end (at most {@code limit}; then kills it and fails). */
    Result await(Duration limit) throws IOException, InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IOException("process " + process.pid() + " did not end within " + limit + "; see " + stderr);
        }
        long end = System.nanoTime();
        sampler.join(1000);
        return new Result(process.exitValue(), launchNanos, end, peakRssKb, cpuSeconds, stdout, stderr);
    }

    /** Ends the process (and its children) and waits for it. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        Path status = Path.of("/proc/" + process.pid() + "/status");
        while (process.isAlive()) {
            long hwm = vmHwmKb(status);
            if (hwm > peakRssKb) {
                peakRssKb = hwm;
            }
            double cpu = cpuSeconds(process.pid());
            if (cpu > cpuSeconds) {
                cpuSeconds = cpu;
            }
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    /** VmHWM of a process in KiB, or 0 when it cannot be read (ended, or not Linux). */
    static long vmHwmKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // the process ended between the check and the read
        }
        return 0;
    }

    /**
     * User + system CPU seconds a process has used so far, all its threads (fields 14 and 15 of
     * /proc/&lt;pid&gt;/stat, in clock ticks of 1/100 s), or 0 when it cannot be read.
     */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may hold spaces: count from the ')' that closes it
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        }
        catch (IOException | RuntimeException ex) {
            return 0;
        }
    }

    /** The java launcher of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> command(String... parts) {
        List<String> out = new ArrayList<>();
        for (String part : parts) {
            if (part != null && !part.isEmpty()) {
                out.add(part);
            }
        }
        return out;
    }
}
