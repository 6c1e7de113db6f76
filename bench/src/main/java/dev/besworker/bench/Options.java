package dev.besworker.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Command-line options of the harness. Defaults are the issue's: 10^9 and 2·10^9 byte files,
 * 500 files of 10 KB at concurrency 8, a 10-minute polled job, all five cases.
 */
record Options(List<Long> sizes, int smallFiles, int smallSize, int concurrency, Duration pollJob, int startupRuns,
        Set<Integer> cases, List<String> workerJvm, boolean keep, boolean startupVariants, boolean baselines,
        long serveSize) {

    /**
     * The JVM options the README gives for {@code run} ("Performance"); the harness adds the
     * AppCDS archive it builds. Not -XX:TieredStopAtLevel=1: it starts about 1 s sooner but
     * validates and hashes 3× slower (measured: 7.0 s against 2.1 s per GB); the Tier4 thresholds
     * instead keep C2 to code that runs 100,000 times (the scan and transfer loops reach that
     * within milliseconds), which gave most of that second at the same validation speed.
     * -Xmx96m: a run holds at most blockSize × (concurrency + 1) of upload buffers (40 MB by default).
     */
    static final List<String> RECOMMENDED_JVM = List.of("-Xmx96m", "-XX:+UseSerialGC",
            "-XX:Tier4InvocationThreshold=100000", "-XX:Tier4CompileThreshold=100000",
            "-XX:Tier4BackEdgeThreshold=1000000", "-Xshare:auto");

    /**
     * The README's options for {@code serve} (its systemd unit), from the worker's: a heap that
     * starts at 64 MB and may grow to 512 MB (several runs at once; without {@code -Xms} the JVM
     * starts it at a 64th of the RAM, 384 MB here, all of which serve then touched), and C2 alone
     * ({@code -XX:-TieredCompilation}, no Tier4 thresholds): a long-running process whose C1 code
     * with profiling held 30-40 MB more with 8 runs in flight, and was slower too (alternating
     * runs of 500 small files: 306-315 against 341-347 MB peak RSS, 54-57 against 63-65 s).
     */
    static List<String> serveJvm(List<String> workerJvm) {
        List<String> options = new java.util.ArrayList<>(List.of("-Xms64m"));
        workerJvm.stream()
                .filter(option -> !option.startsWith("-XX:Tier4") && !option.startsWith("-Xms")
                        && !option.contains("TieredCompilation") && !option.startsWith("-XX:TieredStopAtLevel"))
                .map(option -> option.startsWith("-Xmx") ? "-Xmx512m" : option)
                .forEach(options::add);
        options.add("-XX:-TieredCompilation");
        return options;
    }

    static Options parse(String[] args) {
        List<Long> sizes = List.of(1_000_000_000L, 2_000_000_000L);
        int smallFiles = 500;
        int smallSize = 10_240;
        int concurrency = 8;
        Duration pollJob = Duration.ofMinutes(10);
        int startupRuns = 5;
        Set<Integer> cases = new LinkedHashSet<>(List.of(1, 2, 3, 4, 5, 6, 7));
        long serveSize = 100_000_000L;
        List<String> jvm = RECOMMENDED_JVM;
        boolean keep = false;
        boolean variants = true;
        boolean baselines = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--sizes" -> {
                    List<Long> list = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        list.add((long) Double.parseDouble(s));
                    }
                    sizes = list;
                }
                case "--small-files" -> smallFiles = Integer.parseInt(args[++i]);
                case "--small-size" -> smallSize = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--poll-job" -> pollJob = Duration.parse("PT" + args[++i].toUpperCase());
                case "--startup-runs" -> startupRuns = Integer.parseInt(args[++i]);
                case "--cases" -> {
                    cases = new LinkedHashSet<>();
                    for (String s : args[++i].split(",")) {
                        cases.add(Integer.parseInt(s.trim()));
                    }
                }
                case "--worker-jvm" -> jvm = List.of(args[++i].trim().split("\\s+"));
                case "--serve-size" -> serveSize = (long) Double.parseDouble(args[++i]);
                case "--keep" -> keep = true;
                case "--no-startup-variants" -> variants = false;
                case "--no-baselines" -> baselines = false;
                case "--quick" -> {
                    sizes = List.of(100_000_000L);
                    serveSize = 20_000_000L;
                    smallFiles = 80;
                    pollJob = Duration.ofMinutes(1);
                    startupRuns = 3;
                    variants = false;
                }
                case "-h", "--help" -> {
                    System.out.println("""
                            bench/run.sh [options]
                              --cases 1,2,3,4,5,6,7 which cases (1 big file, 2 emulator hashing, 3 small files,
                                                    4 polling, 5 start-up, 6 the README command as typed,
                                                    7 serve's memory with --concurrency runs in flight)
                              --sizes 1e9,2e9       big file sizes in bytes
                              --small-files 500     number of small files (case 3)
                              --small-size 10240    bytes per small file
                              --concurrency 8       runs at once (cases 3 and 7)
                              --serve-size 1e8      bytes per file of case 7
                              --poll-job 10m        duration of the polled job (case 4)
                              --startup-runs 5      measured runs of the recommended set-up (case 5; others 2)
                              --no-startup-variants measure only the recommended JVM options in case 5
                              --worker-jvm "OPTS"   the worker's JVM options (default: the recommended ones)
                              --quick               a smoke run: 100 MB, 80 small files, 1 minute job
                              --no-baselines        case 1 without the SDK and walkthrough baselines (curl stays)
                              --keep                keep generated files and blobs
                            """);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " (try --help)");
            }
        }
        return new Options(sizes, smallFiles, smallSize, concurrency, pollJob, startupRuns, cases, jvm, keep, variants,
                baselines, serveSize);
    }
}
