package dev.besworker.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.pipeline.ExecutionGuard.RestartLock;
import dev.besworker.pipeline.OwnedExecutionException;

/**
 * One restart of a job instance at a time, across workers: a row per job instance in
 * {@code BES_WORKER_RESTART_LOCK}, locked with {@code SELECT ... FOR UPDATE} in a transaction of
 * its own. Spring Batch 6 checks that no execution of the instance runs and creates the next one
 * in separate transactions (spring-batch#5397), so two restarts at once could both pass the check;
 * under this lock the second waits, then finds the first's execution running.
 * <p>
 * The restart runs the job in the calling thread, and holding the lock for the whole run would
 * block every other restart for hours: the lock is released as soon as the new execution starts
 * ({@link #releaseHeldByThisThread}, called when the job starts), or when the restart fails.
 */
public final class RestartLocks {

    private static final Logger log = LoggerFactory.getLogger(RestartLocks.class);

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final ThreadLocal<Held> heldHere = new ThreadLocal<>();

    public RestartLocks(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /**
     * Locks restarts of the job instance, waiting while another worker holds the lock.
     *
     * @throws OwnedExecutionException if the database gave up waiting (another restart of it runs long)
     */
    public RestartLock lock(long jobInstanceId) {
        try {
            jdbc.update("INSERT INTO BES_WORKER_RESTART_LOCK (JOB_INSTANCE_ID) VALUES (?)", jobInstanceId);
        }
        catch (DuplicateKeyException ex) {
            // restarted before: the row is there
        }
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT JOB_INSTANCE_ID FROM BES_WORKER_RESTART_LOCK WHERE JOB_INSTANCE_ID = ? FOR UPDATE")) {
                select.setLong(1, jobInstanceId);
                select.executeQuery().close();
            }
        }
        catch (SQLException | DataAccessException ex) {
            closeQuietly(connection);
            throw OwnedExecutionException.because(-1, "job instance " + jobInstanceId + " is being restarted by "
                    + "another worker right now (" + ex.getMessage() + "); see 'list' for the execution it created");
        }
        Held held = new Held(jobInstanceId, connection);
        heldHere.set(held);
        return held;
    }

    /** Releases the restart lock this thread holds, if any: its new execution exists now. */
    public void releaseHeldByThisThread() {
        Held held = heldHere.get();
        if (held != null) {
            held.close();
        }
    }

    private void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.rollback();
            connection.setAutoCommit(true);
        }
        catch (SQLException ex) {
            log.debug("rolling back a restart lock failed: {}", ex.getMessage());
        }
        try {
            connection.close();
        }
        catch (SQLException ex) {
            log.debug("closing a restart lock's connection failed: {}", ex.getMessage());
        }
    }

    private final class Held implements RestartLock {

        private final long jobInstanceId;
        private Connection connection;

        Held(long jobInstanceId, Connection connection) {
            this.jobInstanceId = jobInstanceId;
            this.connection = connection;
        }

        @Override
        public synchronized void close() {
            if (connection == null) {
                return;
            }
            if (heldHere.get() == this) {
                heldHere.remove();
            }
            log.debug("restart lock of job instance {} released", jobInstanceId);
            closeQuietly(connection);
            connection = null;
        }
    }
}
