package dev.besworker.serve;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;

import dev.besworker.runs.ProcessMemory;

/**
 * Keeps a long-running {@code serve} near the memory its runs use, whatever JVM options it was
 * started with (issue 12: at most 400 MB with 8 runs in flight). Without it, 500 small files
 * scored 8 at a time took serve, under the systemd unit's options, to 432–497 MB, of which about
 * 55 MB were live objects (README, "Performance"):
 * <ul>
 * <li>the heap: runs come and go, what they allocate is promoted before it dies, and after each
 * full collection the JVM kept up to 70 % of the heap free ({@code MaxHeapFreeRatio}), so the
 * committed heap only grew (195 MB). Serve keeps at most 20 % free from its start
 * ({@link ProcessMemory#keepLessFreeHeap()});</li>
 * <li>the C heap: the threads of the runs (HTTP clients, the JIT, the database) free what they
 * allocated into glibc's per-thread arenas, which keep it (about 45 MB here). Every
 * {@link #INTERVAL} while runs are in flight, and once after the last ended, serve gives it back
 * ({@link ProcessMemory#trimNativeHeap()}, some milliseconds). Both: 371–383 MB.</li>
 * </ul>
 */
final class ServeMemory {

    /** How often the C heap is trimmed while runs are in flight. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ServeMemory.class);

    private final IntSupplier running;
    private final Supplier<Optional<String>> trim;
    private boolean busy;
    private boolean trims = true;
    private ScheduledFuture<?> task;

    /**
     * @param running how many runs are in flight now
     * @param trim trims the C heap and says what it did; empty where it cannot trim
     */
    ServeMemory(IntSupplier running, Supplier<Optional<String>> trim) {
        this.running = running;
        this.trim = trim;
    }

    /** Lowers the free-heap ratios and trims the C heap every {@link #INTERVAL} while runs are in flight. */
    void start(TaskScheduler scheduler, Clock clock) {
        boolean lowered = ProcessMemory.keepLessFreeHeap();
        log.debug("serve memory: free-heap ratios {}", lowered ? "10-20 %" : "left as set");
        task = scheduler.scheduleWithFixedDelay(this::tick, clock.instant().plus(INTERVAL), INTERVAL);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** One turn: trims while runs are in flight and once after the last ended; nothing while serve idles. */
    synchronized void tick() {
        boolean busyNow = running.getAsInt() > 0;
        if (trims && (busyNow || busy)) {
            Optional<String> report = trim.get();
            trims = report.isPresent();
            log.debug("serve memory: {}", report.orElse("the C heap cannot be trimmed here"));
        }
        busy = busyNow;
    }
}
