package dev.besworker.cluster;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/** The workers of this job repository, live and recently gone, as {@code workers} lists them. */
public class WorkerRegistry {

    /**
     * One worker as recorded; times are the database's.
     *
     * @param live whether its lease was current when read (the database's clock decides)
     * @param endedAt when it ended in order, or null (still running, or killed)
     * @param executions the executions it owns now
     */
    public record Worker(String instanceId, String host, long pid, String command, OffsetDateTime startedAt,
            OffsetDateTime lastSeen, OffsetDateTime leaseExpiresAt, OffsetDateTime endedAt, boolean live,
            List<Long> executions) {
    }

    private final JdbcTemplate jdbc;

    public WorkerRegistry(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Live workers, and those whose lease ended less than {@code recent} ago; live ones first, newest first. */
    public List<Worker> workers(Duration recent) {
        Map<String, List<Long>> owned = new LinkedHashMap<>();
        jdbc.query("SELECT INSTANCE_ID, JOB_EXECUTION_ID FROM BES_WORKER_OWNER WHERE INSTANCE_ID IS NOT NULL "
                + "ORDER BY JOB_EXECUTION_ID", rs -> {
                    owned.computeIfAbsent(rs.getString(1), key -> new ArrayList<>()).add(rs.getLong(2));
                });
        return jdbc.query("SELECT INSTANCE_ID, HOST, PID, COMMAND, STARTED_AT, LAST_SEEN, LEASE_EXPIRES_AT, ENDED_AT, "
                + "CASE WHEN LEASE_EXPIRES_AT > CURRENT_TIMESTAMP THEN 1 ELSE 0 END FROM BES_WORKER_INSTANCE WHERE "
                + "LEASE_EXPIRES_AT > CURRENT_TIMESTAMP - " + DbTime.interval(recent) + " ORDER BY 9 DESC, STARTED_AT "
                + "DESC", (rs, i) -> new Worker(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class),
                        rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class), rs.getInt(9) == 1,
                        List.copyOf(owned.getOrDefault(rs.getString(1), List.of()))));
    }
}
