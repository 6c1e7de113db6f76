package dev.besworker.definition;

import dev.besworker.secrets.Redactor;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import org.springframework.scheduling.support.CronExpression;

/**
 * Validates the bound sections about how a job runs: {@code poll:}, {@code output-dir:},
 * {@code inbox:}, {@code schedule:}, {@code notify:} and {@code max-concurrent-jobs:}.
 */
record RunSettings(Reading r) {

    /** The poll settings (the defaults when absent), or null with the problems reported. */
    PollSettings poll(DefinitionFile.Poll poll) {
        PollSettings defaults = PollSettings.defaults();
        if (r.failed("poll")) {
            return null;
        }
        if (poll == null) {
            return defaults;
        }
        Duration initial = r.orDefault("poll.initial-interval", poll.initialInterval(), defaults.initialInterval());
        Duration max = r.orDefault("poll.max-interval", poll.maxInterval(), defaults.maxInterval());
        Duration timeout = r.orDefault("poll.timeout", poll.timeout(), defaults.timeout());
        boolean ok = Durations.requireBackoff(r, "poll", "initial-interval", initial, "max-interval", max,
                "timeout", timeout);
        if (!ok || initial == null || max == null || timeout == null) {
            return null;
        }
        return new PollSettings(initial, max, timeout);
    }

    /** Where results land ({@code output/<name>} when absent), or null with the problem reported. */
    Path outputDir(String value, String name) {
        if (value == null) {
            return r.failed("output-dir") ? null : r.resolve("output-dir", 0, "output/" + name);
        }
        if (value.isBlank()) {
            r.problem("output-dir", "is empty; set a folder, e.g. output/" + name);
            return null;
        }
        return r.resolve("output-dir", r.line("output-dir"), value);
    }

    /** The inbox, or null when absent or with problems (reported). */
    InboxSettings inbox(DefinitionFile.Inbox inbox, Path outputDir) {
        if (!r.section("inbox", null)) {
            return null;
        }
        if (inbox == null) {
            inbox = new DefinitionFile.Inbox(null, null, null);
        }
        String fix = "set the folder to watch, e.g. inbox/<job name>";
        String dirText = r.requiredText("inbox.dir", inbox.dir(), fix);
        Path dir = null;
        if (dirText != null) {
            dir = r.resolve("inbox.dir", r.line("inbox.dir"), dirText);
            if (dir != null && dir.equals(outputDir)) {
                r.problem("inbox.dir", "is the same folder as output-dir, so results would be taken as new inputs;"
                        + " use separate folders");
                dir = null;
            }
        }
        String pattern = r.orDefault("inbox.pattern", inbox.pattern(), InboxSettings.DEFAULT_PATTERN);
        if (pattern != null && pattern.isEmpty()) {
            r.problem("inbox.pattern", "is empty; use a file name glob, e.g. \"*.csv\"");
            pattern = null;
        } else if (pattern != null) {
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            } catch (IllegalArgumentException e) {
                r.problem("inbox.pattern", "\"" + pattern + "\" is not a valid glob; use e.g. \"*.csv\" or"
                        + " \"reviews-*.{csv,tsv}\"");
                pattern = null;
            }
        }
        Duration settle = r.orDefault("inbox.settle", inbox.settle(), InboxSettings.DEFAULT_SETTLE);
        if (settle != null && settle.isNegative()) {
            r.problem("inbox.settle", "must not be negative; " + Units.DURATION_FORMS);
            settle = null;
        }
        if (dir == null || pattern == null || settle == null) {
            return null;
        }
        return new InboxSettings(dir, pattern, settle);
    }

    /** The schedule, or null when absent or with problems (reported). */
    ScheduleSettings schedule(DefinitionFile.Schedule schedule) {
        if (!r.section("schedule", null)) {
            return null;
        }
        if (schedule == null) {
            schedule = new DefinitionFile.Schedule(null, null, null);
        }
        String cron = r.requiredText("schedule.cron", schedule.cron(), "set a six-field cron expression (second"
                + " minute hour day month weekday), e.g. \"0 0 2 * * *\" for 02:00 every day");
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            int fields = cron.isBlank() ? 0 : cron.strip().split("\\s+").length;
            String why = fields == 5 && !cron.startsWith("@")
                    ? "has 5 fields; add the seconds in front (second minute hour day month weekday), e.g. \"0 "
                    + cron.strip() + "\""
                    : "is not a valid cron expression; use six fields (second minute hour day month weekday), e.g."
                    + " \"0 0 2 * * *\" for 02:00 every day, or a macro such as @daily";
            r.problem("schedule.cron", "\"" + cron + "\" " + why);
            cron = null;
        }
        ZoneId zone = zone(schedule.zone());
        Boolean catchUp = r.orDefault("schedule.catch-up", schedule.catchUp(), false);
        if (cron == null || zone == null || catchUp == null) {
            return null;
        }
        return new ScheduleSettings(cron.strip(), zone, catchUp);
    }

    private ZoneId zone(String zoneText) {
        if (zoneText == null) {
            return r.failed("schedule.zone") ? null : ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(zoneText);
        } catch (RuntimeException e) {
            String suggestion = Spelling.closest(zoneText, ZoneId.getAvailableZoneIds(), String::toLowerCase);
            r.problem("schedule.zone", "\"" + zoneText + "\" is not a time zone; "
                    + (suggestion != null ? "did you mean " + suggestion + "? " : "")
                    + "use a region id such as Europe/Istanbul or UTC");
            return null;
        }
    }

    /** Where outcomes are posted, or null when absent or with problems (reported). */
    NotifySettings notify(DefinitionFile.Notify notify) {
        if (!r.section("notify", null)) {
            return null;
        }
        if (notify == null) {
            notify = new DefinitionFile.Notify(null, null);
        }
        String webhook = r.requiredText("notify.webhook", notify.webhook(), "set the http(s) URL that outcomes are"
                + " posted to");
        URI uri = null;
        if (webhook != null) {
            // Chat webhooks carry their credential in the URL.
            Redactor.register(r.secret(webhook));
            uri = Urls.httpUri(webhook);
            if (uri == null) {
                r.problem("notify.webhook", "is not an http(s) URL; set the URL that outcomes are posted to (the value"
                        + " is not shown: webhook URLs often carry a credential)");
            }
        }
        Boolean onSuccess = r.orDefault("notify.on-success", notify.onSuccess(), false);
        if (uri == null || onSuccess == null) {
            return null;
        }
        return new NotifySettings(uri, onSuccess);
    }

    /** The job's own concurrency limit, or null when absent or invalid (reported). */
    Integer maxConcurrentJobs(Integer value) {
        if (value != null && value < 1) {
            r.problem("max-concurrent-jobs", "must be at least 1; leave it out to be limited only by the worker's"
                    + " besworker.max-concurrent-jobs");
            return null;
        }
        return value;
    }
}
