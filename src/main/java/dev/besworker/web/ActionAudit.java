package dev.besworker.web;

import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

import dev.besworker.secrets.Redactor;

/**
 * The console's audit trail in the job repository ({@code BES_WORKER_CONSOLE_AUDIT}): every
 * action, who asked for it, when, on what, and how it ended. A restart is recorded when it is
 * queued and updated with its outcome when it has run.
 */
public class ActionAudit {

    /** Action names. */
    public enum Action {
        RESTART, STOP, ABANDON, RETRY_FILE
    }

    /** How an action ended (QUEUED until a queued restart has run). */
    public enum Result {
        QUEUED, DONE, FAILED, REFUSED
    }

    /**
     * One audited action.
     *
     * @param id its number
     * @param at when it was asked for
     * @param user who asked
     * @param action what
     * @param executionId the execution it concerns, if any
     * @param target what it was done to, in words
     * @param result how it ended
     * @param message what happened
     * @param ended when it ended (null while queued)
     */
    public record Entry(long id, Instant at, String user, Action action, Long executionId, String target,
            Result result, String message, Instant ended) {
    }

    private static final RowMapper<Entry> ROW = (rs, i) -> {
        long ended = rs.getLong(9);
        return new Entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                Action.valueOf(rs.getString(4)), (Long) rs.getObject(5, Long.class), rs.getString(6),
                Result.valueOf(rs.getString(7)), rs.getString(8), rs.wasNull() ? null : Instant.ofEpochMilli(ended));
    };
    private static final String COLUMNS = "ID, AT_MILLIS, USER_NAME, ACTION, JOB_EXECUTION_ID, TARGET, RESULT, MESSAGE,"
            + " ENDED_MILLIS";

    private final JdbcTemplate jdbc;

    public ActionAudit(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Records an action; returns its id. */
    public long record(String user, Action action, Long executionId, String target, Result result, String message) {
        long now = System.currentTimeMillis();
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.update(connection -> {
            var statement = connection.prepareStatement("INSERT INTO BES_WORKER_CONSOLE_AUDIT (AT_MILLIS, USER_NAME,"
                    + " ACTION, JOB_EXECUTION_ID, TARGET, RESULT, MESSAGE, ENDED_MILLIS) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    new String[] { "ID" });
            statement.setLong(1, now);
            statement.setString(2, cut(user, 200));
            statement.setString(3, action.name());
            statement.setObject(4, executionId);
            statement.setString(5, cut(target, 1000));
            statement.setString(6, result.name());
            statement.setString(7, cut(message, 2000));
            statement.setObject(8, result == Result.QUEUED ? null : now);
            return statement;
        }, key);
        return key.getKeyAs(Number.class) == null ? -1 : key.getKeyAs(Number.class).longValue();
    }

    /** Records how a queued action ended. */
    public void ended(long id, Result result, String message) {
        jdbc.update("UPDATE BES_WORKER_CONSOLE_AUDIT SET RESULT = ?, MESSAGE = ?, ENDED_MILLIS = ? WHERE ID = ?",
                result.name(), cut(message, 2000), System.currentTimeMillis(), id);
    }

    /** The actions on one execution, newest first. */
    public List<Entry> forExecution(long executionId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM BES_WORKER_CONSOLE_AUDIT WHERE JOB_EXECUTION_ID = ?"
                + " ORDER BY ID DESC", ROW, executionId);
    }

    /** The newest actions. */
    public List<Entry> newest(int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM BES_WORKER_CONSOLE_AUDIT ORDER BY ID DESC LIMIT ?", ROW, limit);
    }

    /** Scrubbed of secrets and cut to the column's size. */
    private static String cut(String text, int max) {
        if (text == null) {
            return null;
        }
        String scrubbed = Redactor.scrub(text);
        return scrubbed.length() <= max ? scrubbed : scrubbed.substring(0, max - 3) + "...";
    }
}
