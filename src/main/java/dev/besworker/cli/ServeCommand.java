package dev.besworker.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.besworker.ops.StopSignals;
import dev.besworker.serve.Serve;
import dev.besworker.serve.ServeLock;

/** {@code serve}: the long-running worker of inbox folders and schedules. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = { "Runs unattended: scores the files dropped into each definition's inbox folder (at the",
                "definition's schedule, if it has one), at most besworker.max-concurrent-jobs at once, and serves",
                "health and metrics on http://127.0.0.1:PORT/actuator. SIGTERM stops it: running executions end",
                "STOPPED and resume at the next start; waiting files stay in their inbox. One serve per data folder." },
        footer = { "", "Exit codes: 0 stopped cleanly, 1 runs did not stop in time (the next start recovers them),",
                "2 configuration error, 4 another serve holds the data folder." })
class ServeCommand extends WorkerCommand {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the health and metrics endpoints on 127.0.0.1 (default: server.port, 8080; "
                    + "0: any free port; -1: no HTTP).")
    Integer httpPort;

    @Override
    protected int execute() throws IOException {
        Path jobsDir = global.jobsDir.toAbsolutePath().normalize();
        Path dataDir = global.dataDir.toAbsolutePath().normalize();
        String cli = Shell.self() + " --jobs-dir " + Shell.quote(jobsDir.toString()) + " --data-dir "
                + Shell.quote(dataDir.toString());
        Serve serve;
        try {
            serve = Serve.start(new Serve.Options(jobsDir, dataDir, httpPort, cli, Map.of()));
        }
        catch (ServeLock.HeldException ex) {
            System.err.println("error: " + ex.getMessage());
            return ExitCodes.OWNED_BY_LIVE_PROCESS;
        }
        AtomicBoolean signalled = new AtomicBoolean();
        StopSignals.install(signal -> {
            if (!signalled.compareAndSet(false, true)) {
                log.warn("SIG{} again: exiting now; the next start recovers what was running", signal);
                Runtime.getRuntime().halt(1);
            }
            log.info("SIG{}: shutting down", signal);
            Thread stopper = new Thread(serve::shutdown, "serve-shutdown");
            stopper.start();
            watchdog(serve.bean(dev.besworker.WorkerProperties.class).stopTimeout().plusSeconds(20));
        });
        serve.awaitShutdown();
        return serve.shutdown() ? ExitCodes.COMPLETED : ExitCodes.FAILED;
    }

    /** Halts if an orderly shutdown hangs (a stuck repository, say): systemd would kill us anyway. */
    private static void watchdog(Duration limit) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            }
            catch (InterruptedException ex) {
                return;
            }
            log.error("shutdown did not finish within {}; exiting anyway (the next start recovers what was running)",
                    limit);
            Runtime.getRuntime().halt(1);
        }, "serve-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
