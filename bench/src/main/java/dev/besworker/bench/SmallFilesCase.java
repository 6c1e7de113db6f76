package dev.besworker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import dev.besworker.WorkerApplication;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.ScoringRuns;
import dev.besworker.pipeline.ScoringRuns.RunOutcome;
import dev.besworker.pipeline.ScoringRuns.RunRequest;

/**
 * Case 3: many small files at a fixed concurrency, end to end (validate, upload, submit, start,
 * poll, download, clean up), files per minute and the median orchestration overhead per run
 * (a run's wall time minus the time its BES job ran).
 * <p>
 * The {@code serve} daemon with inbox folders is not on main yet, so the runs are launched the
 * way it would launch them: through {@link ScoringRuns} in one worker process (this JVM), on a
 * pool of {@code concurrency} threads, all files present at the start.
 */
final class SmallFilesCase {

    private final Env env;

    SmallFilesCase(Env env) {
        this.env = env;
    }

    private record RunTimes(long startNanos, long endNanos, String jobId, boolean completed) {
    }

    void run() throws Exception {
        int files = env.options.smallFiles();
        int size = env.options.smallSize();
        int concurrency = env.options.concurrency();
        String area = "3 small files";
        Path dir = env.work.resolve("small");
        Path inbox = dir.resolve("inbox");
        Path dataDir = dir.resolve("data");
        Path outDir = dir.resolve("out");
        Files.createDirectories(inbox);
        String container = "bench-small";
        try (Emulator emulator = Emulator.start(env.jar, env.logs, "emulator-small", null);
                Proxy proxy = Proxy.start(emulator.uri())) {
            emulator.watch(Duration.ofMillis(25));
            DataGen gen = new DataGen(env.root.resolve("sample-data/book-reviews.csv"));
            List<Path> inputs = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                Path file = inbox.resolve(String.format(Locale.ROOT, "reviews-%04d.csv", i));
                gen.write(file, size, 1000 + i);
                inputs.add(file);
            }
            Path jobsDir = dir.resolve("jobs");
            Worker definitions = new Worker(env.jar, jobsDir, List.of());
            definitions.define("small", proxy.uri(), env.connectionString, container, outDir,
                    null);
            Env.log(area + ": " + files + " files of " + size + " bytes, concurrency " + concurrency
                    + ", in-process through ScoringRuns");
            SpringApplication application = new SpringApplication(WorkerApplication.class);
            application.setBannerMode(Banner.Mode.OFF);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.setLogStartupInfo(false);
            application.setRegisterShutdownHook(false);
            try (ConfigurableApplicationContext context = application.run("--besworker.data-dir=" + dataDir,
                    "--besworker.jobs-dir=" + jobsDir)) {
                ScoringRuns runs = context.getBean(ScoringRuns.class);
                JobRepository repository = context.getBean(JobRepository.class);
                // One warm-up run so that the figures are about steady state, not class loading.
                Path warm = dir.resolve("warm-up.csv");
                gen.write(warm, size, 999);
                runOne(runs, repository, warm);
                ExecutorService pool = Executors.newFixedThreadPool(concurrency);
                List<Future<RunTimes>> futures = new ArrayList<>();
                long t0 = System.nanoTime();
                for (Path input : inputs) {
                    futures.add(pool.submit(() -> runOne(runs, repository, input)));
                }
                List<RunTimes> times = new ArrayList<>();
                for (Future<RunTimes> future : futures) {
                    times.add(future.get(30, TimeUnit.MINUTES));
                }
                long t1 = System.nanoTime();
                pool.shutdown();
                context.getBean(ExecutionOwners.class).close();
                long completed = times.stream().filter(RunTimes::completed).count();
                double minutes = (t1 - t0) / 60e9;
                double perMinute = completed / minutes;
                List<Double> overheads = new ArrayList<>();
                List<Double> walls = new ArrayList<>();
                List<Double> jobs = new ArrayList<>();
                List<Double> queued = new ArrayList<>();
                for (RunTimes t : times) {
                    walls.add((t.endNanos - t.startNanos) / 1e9);
                    queued.add((t.startNanos - t0) / 1e9);
                    Proxy.Entry start = t.jobId == null ? null
                            : proxy.ofJob(t.jobId).stream().filter(Proxy.Entry::isStart).findFirst().orElse(null);
                    Long finished = t.jobId == null ? null : emulator.firstSeen(t.jobId, "Finished");
                    if (start != null && finished != null) {
                        double job = Math.max(0, (finished - start.arrivedNanos()) / 1e9);
                        jobs.add(job);
                        overheads.add((t.endNanos - t.startNanos) / 1e9 - job);
                    }
                }
                long statusCalls = proxy.entries().stream().filter(Proxy.Entry::isStatusCall).count();
                env.table.add(area, files + " × " + size / 1024 + " KB, concurrency " + concurrency + ": files per minute",
                        Table.rate(perMinute, "/min"), "", "", "", "≥ 300 /min", perMinute >= 300);
                env.table.add(area, "median orchestration overhead per run", Table.seconds(median(overheads)),
                        "median BES job time", Table.seconds(median(jobs)), "", "", null);
                env.table.info(area, "  median / 90th percentile run wall time",
                        Table.seconds(median(walls)) + " / " + Table.seconds(percentile(walls, 0.9)));
                env.table.info(area, "  completed runs; status calls per run",
                        completed + " of " + files + "; " + String.format(Locale.ROOT, "%.1f",
                                statusCalls / (double) Math.max(1, completed + 1)));
                env.table.info(area, "  how launched", "in-process ScoringRuns, " + concurrency
                        + " threads (serve/inbox not on main yet)");
                Env.log(String.format(Locale.ROOT, "%s: %d of %d in %.1f s = %.0f files/min; median wall %.2f s, "
                        + "median job %.3f s, median overhead %.2f s", area, completed, files, minutes * 60, perMinute,
                        median(walls), median(jobs), median(overheads)));
            }
        }
        finally {
            if (!env.options.keep()) {
                env.dropContainer(container);
                Env.delete(dir);
            }
        }
    }

    private static RunTimes runOne(ScoringRuns runs, JobRepository repository, Path input) {
        long start = System.nanoTime();
        Map<String, Path> files = new HashMap<>();
        files.put(null, input);
        RunOutcome outcome;
        try {
            outcome = runs.run(new RunRequest("small", files, null, Map.of(), false));
        }
        catch (RuntimeException ex) {
            Env.log("small file run failed: " + ex);
            return new RunTimes(start, System.nanoTime(), null, false);
        }
        long end = System.nanoTime();
        JobExecution execution = repository.getJobExecution(outcome.executionId());
        String jobId = execution == null ? null : execution.getExecutionContext().getString(RunKeys.BES_JOB_ID, null);
        if (!outcome.completed()) {
            Env.log("small file run " + outcome.executionId() + " ended " + outcome.status() + ": " + outcome.failure());
        }
        return new RunTimes(start, end, jobId, outcome.completed());
    }

    static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * (sorted.size() - 1) + 0.5)));
    }
}
