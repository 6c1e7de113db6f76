package dev.besworker.cluster;

import java.time.Duration;
import java.util.Locale;

/**
 * Time arithmetic done by the database, in SQL that H2 and PostgreSQL both understand: every
 * lease is written as {@code CURRENT_TIMESTAMP + interval} and compared with
 * {@code CURRENT_TIMESTAMP}, so that only the database's clock counts.
 */
final class DbTime {

    private DbTime() {
    }

    /**
     * An interval literal of whole milliseconds ({@code INTERVAL '1' SECOND * 30.5}): the
     * duration comes from typed configuration, never from user input, so inlining it is safe.
     */
    static String interval(Duration duration) {
        return "(INTERVAL '1' SECOND * " + String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0) + ")";
    }
}
