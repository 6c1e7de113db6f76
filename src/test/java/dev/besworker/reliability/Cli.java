package dev.besworker.reliability;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.besworker.BesWorkerApplication;

/**
 * Runs the command line in this JVM ({@link BesWorkerApplication#execute}), with what it prints
 * captured: the same code path as the jar without a JVM start, for the many short scenarios.
 */
final class Cli {

    private Cli() {
    }

    /** {@code bes-worker --jobs-dir J --data-dir D args...}; one at a time, since it swaps System.out. */
    static synchronized WorkerJvm.Result run(Scenario scenario, String... args) {
        List<String> all = new ArrayList<>(List.of("--jobs-dir", scenario.jobsDir.toString(), "--data-dir",
                scenario.dataDir.toString()));
        all.addAll(List.of(args));
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = BesWorkerApplication.execute(all.toArray(String[]::new));
        }
        finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        WorkerJvm.Result result = new WorkerJvm.Result(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
        stdout.println("bes-worker " + String.join(" ", args) + " -> " + result);
        return result;
    }
}
