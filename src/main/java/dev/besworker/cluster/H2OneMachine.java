package dev.besworker.cluster;

import java.util.List;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * H2 is the one-machine repository: its file is opened by one process at a time (others reach it
 * through that process, AUTO_SERVER), and on a network file system its locking cannot be trusted.
 * A worker on a second machine is refused, before it writes anything, while a worker of another
 * host holds a current lease in the same H2 file. PostgreSQL is for several machines.
 */
public final class H2OneMachine {

    private final JdbcTemplate jdbc;
    private final WorkerIdentity identity;
    private final boolean h2;

    public H2OneMachine(JdbcTemplate jdbc, WorkerIdentity identity) {
        this.jdbc = jdbc;
        this.identity = identity;
        String product = jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName());
        this.h2 = product != null && product.toUpperCase(java.util.Locale.ROOT).contains("H2");
    }

    /** Whether the repository is H2 (one machine). */
    public boolean h2() {
        return h2;
    }

    /**
     * Refuses this worker if the repository is H2 and a live worker of another host uses it.
     *
     * @throws IllegalArgumentException naming the other worker, and what to do instead
     */
    public void check() {
        if (!h2) {
            return;
        }
        List<String> others = jdbc.query("SELECT INSTANCE_ID, HOST, PID FROM BES_WORKER_INSTANCE WHERE HOST <> ? AND "
                + "ENDED_AT IS NULL AND LEASE_EXPIRES_AT > CURRENT_TIMESTAMP ORDER BY STARTED_AT",
                (rs, i) -> "worker " + rs.getString(1).substring(0, 8) + " (process " + rs.getLong(3) + " on "
                        + rs.getString(2) + ")", identity.host());
        if (!others.isEmpty()) {
            String url = jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getURL());
            throw new IllegalArgumentException("the H2 job repository " + url + " is in use by " + others.get(0)
                    + ", and this is host " + identity.host() + ": an H2 repository serves one machine only. Run this "
                    + "on that machine, or let several machines share a PostgreSQL repository (SPRING_DATASOURCE_URL; "
                    + "see the README, Configuration)");
        }
    }
}
