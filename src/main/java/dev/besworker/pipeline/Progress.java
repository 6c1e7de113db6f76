package dev.besworker.pipeline;

import java.time.Duration;
import java.util.Locale;

import org.slf4j.Logger;

import dev.besworker.definition.Units;
import dev.besworker.staging.TransferListener;

/**
 * Logs a long transfer's progress: bytes, percent, rate and elapsed time, at most every few
 * seconds, and once at the end.
 */
public final class Progress implements TransferListener {

    private static final long INTERVAL_NANOS = Duration.ofSeconds(3).toNanos();

    private final Logger log;
    private final String what;
    private final long started = System.nanoTime();
    private long lastLogged = started;
    private long lastBytes;

    public Progress(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    @Override
    public void progress(long bytesDone, long bytesTotal) {
        long now = System.nanoTime();
        lastBytes = bytesDone;
        if (now - lastLogged >= INTERVAL_NANOS) {
            lastLogged = now;
            log.info("{}: {} of {} ({}), {}/s, elapsed {}", what, bytes(bytesDone), bytes(bytesTotal),
                    percent(bytesDone, bytesTotal), bytes(rate(bytesDone, now)), elapsed(now));
        }
    }

    /** Logs the final line. */
    void done(String outcome) {
        long now = System.nanoTime();
        log.info("{}: {} {}, {}/s, took {}", what, outcome, bytes(lastBytes), bytes(rate(lastBytes, now)), elapsed(now));
    }

    void done(String outcome, long bytes) {
        lastBytes = bytes;
        done(outcome);
    }

    private long rate(long bytes, long now) {
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        return (long) (bytes / seconds);
    }

    private String elapsed(long now) {
        return Units.format(Duration.ofNanos(now - started));
    }

    private static String percent(long done, long total) {
        return total <= 0 ? "?%" : String.format(Locale.ROOT, "%.0f%%", 100.0 * done / total);
    }

    /** A byte count for people: {@code 512 B}, {@code 74.4 KiB}, {@code 1.2 GiB}. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
