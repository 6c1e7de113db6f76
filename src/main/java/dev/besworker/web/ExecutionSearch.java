package dev.besworker.web;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.batch.core.BatchStatus;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.pipeline.RunKeys;

/**
 * Finds executions for the runs page and {@code GET /api/executions}: newest first, by
 * definition, status, date range (of creation, inclusive) and input file name (a part of it),
 * one page at a time.
 */
public class ExecutionSearch {

    /**
     * A search, as parsed from request parameters.
     *
     * @param definition exact definition name, or null
     * @param status status, or null
     * @param from first day, or null
     * @param to last day, or null
     * @param input part of the input file's path, or null
     * @param page page number from 0
     * @param size executions per page (1 to 200)
     */
    public record Query(String definition, BatchStatus status, LocalDate from, LocalDate to, String input, int page,
            int size) {

        /** Parses request parameters; anything malformed is a 400 naming the parameter. */
        public static Query parse(String definition, String status, String from, String to, String input, String page,
                String size, int defaultSize) {
            Query query = new Query(blankToNull(definition), status(status), date("from", from), date("to", to),
                    blankToNull(input), number("page", page, 0, 0, Integer.MAX_VALUE),
                    number("size", size, defaultSize, 1, 200));
            if (query.from() != null && query.to() != null && query.to().isBefore(query.from())) {
                throw ApiException.badRequest("'to' (" + query.to() + ") is before 'from' (" + query.from() + ")");
            }
            return query;
        }

        public boolean filtered() {
            return definition != null || status != null || from != null || to != null || input != null;
        }

        private static BatchStatus status(String text) {
            if (blankToNull(text) == null) {
                return null;
            }
            try {
                return BatchStatus.valueOf(text.strip().toUpperCase(Locale.ROOT));
            }
            catch (IllegalArgumentException ex) {
                throw ApiException.badRequest("status '" + text + "' is not one of " + List.of(BatchStatus.values()));
            }
        }

        private static LocalDate date(String name, String text) {
            if (blankToNull(text) == null) {
                return null;
            }
            try {
                return LocalDate.parse(text.strip());
            }
            catch (DateTimeParseException ex) {
                throw ApiException.badRequest("'" + name + "' must be a date like 2024-06-01, not '" + text + "'");
            }
        }

        private static int number(String name, String text, int fallback, int min, int max) {
            if (blankToNull(text) == null) {
                return fallback;
            }
            try {
                int value = Integer.parseInt(text.strip());
                if (value < min || value > max) {
                    throw ApiException.badRequest("'" + name + "' must be between " + min + " and " + max);
                }
                return value;
            }
            catch (NumberFormatException ex) {
                throw ApiException.badRequest("'" + name + "' must be a whole number, not '" + text + "'");
            }
        }

        static String blankToNull(String text) {
            return text == null || text.isBlank() ? null : text.strip();
        }
    }

    /** One page of execution ids, and how many match in all. */
    public record Page(List<Long> ids, long total, int page, int size) {

        public int pages() {
            return (int) Math.max(1, (total + size - 1) / size);
        }
    }

    private final JdbcTemplate jdbc;

    public ExecutionSearch(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Page find(Query query) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.definition() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION_PARAMS p WHERE p.JOB_EXECUTION_ID ="
                    + " e.JOB_EXECUTION_ID AND p.PARAMETER_NAME = ? AND p.PARAMETER_VALUE = ?)");
            args.add(RunKeys.DEFINITION);
            args.add(query.definition());
        }
        if (query.status() != null) {
            where.append(" AND e.STATUS = ?");
            args.add(query.status().name());
        }
        if (query.from() != null) {
            where.append(" AND e.CREATE_TIME >= ?");
            args.add(Timestamp.valueOf(query.from().atStartOfDay()));
        }
        if (query.to() != null) {
            where.append(" AND e.CREATE_TIME < ?");
            args.add(Timestamp.valueOf(query.to().plusDays(1).atStartOfDay()));
        }
        if (query.input() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION_PARAMS p WHERE p.JOB_EXECUTION_ID ="
                    + " e.JOB_EXECUTION_ID AND p.PARAMETER_NAME LIKE ? AND LOWER(p.PARAMETER_VALUE) LIKE ? ESCAPE '!')");
            args.add(RunKeys.INPUT_PREFIX + "%" + RunKeys.PATH);
            args.add("%" + query.input().toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%")
                    .replace("_", "!_") + "%");
        }
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION e" + where, Long.class,
                args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(query.size());
        pageArgs.add((long) query.page() * query.size());
        List<Long> ids = jdbc.queryForList("SELECT e.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION e" + where
                + " ORDER BY e.JOB_EXECUTION_ID DESC LIMIT ? OFFSET ?", Long.class, pageArgs.toArray());
        return new Page(ids, total == null ? 0 : total, query.page(), query.size());
    }
}
