package dev.besworker.serve;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;

import org.springframework.scheduling.support.CronExpression;

import dev.besworker.definition.ScheduleSettings;

/**
 * When each schedule last fired (or, before its first firing, since when serve has been watching
 * it), kept in {@code <data-dir>/serve/schedules.properties} as {@code <definition>=<instant>}.
 * At start-up this tells whether a time was missed while the worker was down.
 */
public final class ScheduleState {

    private final Path file;
    private final Properties values = new Properties();

    public ScheduleState(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                values.load(reader);
            }
        }
    }

    /** The file for a data folder. */
    public static Path fileIn(Path dataDir) {
        return dataDir.resolve("serve").resolve("schedules.properties");
    }

    /** When the definition's schedule last fired, or since when it has been watched. */
    public synchronized Optional<Instant> last(String definition) {
        String value = values.getProperty(definition);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.strip()));
        }
        catch (DateTimeParseException ex) {
            return Optional.empty();
        }
    }

    /** Records a firing (or the start of watching), durably. */
    public synchronized void record(String definition, Instant when) throws IOException {
        values.setProperty(definition, when.toString());
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            values.store(writer, "last firing of each schedule (serve catches up a time missed after it)");
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
