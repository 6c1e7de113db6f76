package dev.besworker.serve;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.support.CronExpression;

import dev.besworker.definition.ScheduleSettings;

/**
 * The firings of the schedules in the job repository ({@code BES_WORKER_SCHEDULE_FIRING}), shared
 * by every worker of the cluster: one row per definition and scheduled time, under its primary
 * key, so that whichever workers are up, each time fires once; the worker whose insert wins fires
 * it. Each row also says up to when missed times are accounted for (a catch-up firing covers
 * everything up to its own time; a "watching" row, the time since which serve has watched a
 * schedule that has not fired yet), which tells a worker at start-up whether a time was missed
 * while no worker was up.
 * <p>
 * The hand-written insert is the whole protocol: a primary key decides, as ShedLock or a JDBC lock
 * registry would, but keyed on the scheduled time itself, so that a worker whose clock is off
 * cannot fire a time twice (a lock held "for at least N seconds" could expire and let it).
 */
public final class ScheduleState {

    private static final Logger log = LoggerFactory.getLogger(ScheduleState.class);

    /** What a row records. */
    public enum Kind {
        /** A time fired on time. */
        CRON,
        /** Missed times made up by one firing at start-up. */
        CATCH_UP,
        /** Not a firing: since when the schedule has been watched (missed times before it are not caught up). */
        WATCH
    }

    private static final String CLAIM = """
            INSERT INTO BES_WORKER_SCHEDULE_FIRING
              (DEFINITION_NAME, SCHEDULED_AT, COVERS_UNTIL, KIND, FIRED_BY, FIRED_AT)
            SELECT ?, ?, ?, ?, ?, ? FROM BES_WORKER_SCHEDULE_FIRING
            WHERE DEFINITION_NAME = ? AND SCHEDULED_AT = ? HAVING COUNT(*) = 0
            """;

    private final JdbcTemplate jdbc;
    private final String self;

    /**
     * @param self this worker's instance id, recorded with the firings it makes
     */
    public ScheduleState(JdbcTemplate jdbc, String self) {
        this.jdbc = jdbc;
        this.self = self;
    }

    /** The file a single worker kept its schedule times in before they moved to the database. */
    public static Path fileIn(Path dataDir) {
        return dataDir.resolve("serve").resolve("schedules.properties");
    }

    /**
     * Takes over the times of {@code <data-dir>/serve/schedules.properties} (written by earlier
     * versions) for definitions the database knows nothing of yet.
     */
    public void importFile(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(reader);
        }
        catch (IOException ex) {
            log.warn("schedules: cannot read {}: {}", file, ex.getMessage());
            return;
        }
        for (String definition : values.stringPropertyNames()) {
            try {
                Instant at = Instant.parse(values.getProperty(definition).strip());
                if (last(definition).isEmpty()) {
                    claim(definition, at, at, Kind.WATCH, at);
                    log.info("schedule {}: last firing {} taken over from {}", definition, at, file);
                }
            }
            catch (DateTimeParseException ex) {
                log.warn("schedules: {} in {} is not a time; ignored", definition, file);
            }
        }
    }

    /** Up to when the definition's times are accounted for: its last firing, or since when it was watched. */
    public Optional<Instant> last(String definition) {
        Long millis = jdbc.queryForObject(
                "SELECT MAX(COVERS_UNTIL) FROM BES_WORKER_SCHEDULE_FIRING WHERE DEFINITION_NAME = ?", Long.class,
                definition);
        return Optional.ofNullable(millis).map(Instant::ofEpochMilli);
    }

    /**
     * Records a firing of a scheduled time for this worker, unless a worker recorded it already.
     *
     * @param scheduledAt the time as the schedule gives it (the same on every worker)
     * @param coversUntil missed times up to this are accounted for
     * @return true if this worker's row went in: it fires the time
     */
    public boolean claim(String definition, Instant scheduledAt, Instant coversUntil, Kind kind, Instant firedAt) {
        long scheduled = scheduledAt.toEpochMilli();
        try {
            return jdbc.update(CLAIM, definition, scheduled, coversUntil.toEpochMilli(), kind.name(), self,
                    firedAt.toEpochMilli(), definition, scheduled) == 1;
        }
        catch (DuplicateKeyException ex) {
            // another worker's insert won between our check and our insert
            return false;
        }
    }

    /** The instance id of the worker that recorded a scheduled time, if any did. */
    public Optional<String> firedBy(String definition, Instant scheduledAt) {
        return jdbc.queryForList("SELECT FIRED_BY FROM BES_WORKER_SCHEDULE_FIRING WHERE DEFINITION_NAME = ? AND "
                + "SCHEDULED_AT = ?", String.class, definition, scheduledAt.toEpochMilli()).stream().findFirst();
    }

    /** How many firings (catch-ups included) the definition has had. */
    public int firings(String definition) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM BES_WORKER_SCHEDULE_FIRING WHERE DEFINITION_NAME = ?"
                + " AND KIND <> 'WATCH'", Integer.class, definition);
        return count == null ? 0 : count;
    }

    /**
     * The first time the schedule was due after {@code last}, if that is not after {@code now}:
     * a time missed while nobody was watching. Several missed times give the first one only.
     */
    public static Optional<ZonedDateTime> missed(ScheduleSettings schedule, Instant last, Instant now) {
        CronExpression cron = CronExpression.parse(schedule.cron());
        ZonedDateTime next = cron.next(last.atZone(schedule.zone()));
        if (next == null || next.toInstant().isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(next);
    }
}
