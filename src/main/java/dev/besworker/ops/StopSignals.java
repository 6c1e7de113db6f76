package dev.besworker.ops;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into an orderly stop: every execution this process runs is asked to
 * stop, and ends STOPPED (restartable) while the job repository is still open; the command then
 * exits 1 as for any stopped run. If the executions have not ended within the stop timeout, the
 * process halts with 1 anyway, and the next start recovers what it left (the owner is gone).
 * Signals are handled here rather than in a shutdown hook, because the JVM runs all shutdown
 * hooks at once, which would close the repository under a stopping job.
 */
public final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /** Installs the handlers for this process. */
    public static void install(ExecutionOwners owners, Duration stopTimeout) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> onSignal(name, owners, stopTimeout));
            }
            catch (IllegalArgumentException ex) {
                log.debug("cannot handle SIG{} here: {}", name, ex.getMessage());
            }
        }
    }

    /**
     * Installs a handler of the command's own instead: {@code serve} first stops taking files,
     * then stops its running executions, then exits. The handler gets the signal's name.
     */
    public static void install(java.util.function.Consumer<String> handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> handler.accept(name));
            }
            catch (IllegalArgumentException ex) {
                log.debug("cannot handle SIG{} here: {}", name, ex.getMessage());
            }
        }
    }

    private static void onSignal(String name, ExecutionOwners owners, Duration stopTimeout) {
        if (owners.running().isEmpty()) {
            Runtime.getRuntime().halt(1);
        }
        log.warn("SIG{}: stopping {} running execution(s); they end STOPPED and can be restarted", name,
                owners.running().size());
        owners.stopAll();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(stopTimeout.toMillis());
            }
            catch (InterruptedException ex) {
                return;
            }
            if (!owners.running().isEmpty()) {
                log.error("executions {} did not stop within {}; exiting anyway (the next start recovers them)",
                        owners.running().keySet(), stopTimeout);
                Runtime.getRuntime().halt(1);
            }
        }, "stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
