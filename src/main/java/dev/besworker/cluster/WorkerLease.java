package dev.besworker.cluster;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * This worker's lease in {@code BES_WORKER_INSTANCE}: taken when the worker first runs or claims
 * work ({@link #join}), renewed every heartbeat, given up when the process ends in order. Whether
 * a lease is current is decided by the database, comparing with its own {@code CURRENT_TIMESTAMP}
 * the expiry it wrote itself: worker clocks never meet in one comparison.
 * <p>
 * Hand-written on purpose (rather than Spring Integration's {@code JdbcLockRegistry} or ShedLock):
 * this lease belongs to the process, not to a thread; it must be listed with host and pid for
 * {@code workers}; executions refer to it by id; and a lock registry stamps its expiry with the
 * JVM's clock. The SQL is a handful of conditional UPDATEs.
 */
public class WorkerLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerLease.class);

    private final JdbcTemplate jdbc;
    private final WorkerIdentity identity;
    private final Duration lease;
    private final Duration heartbeat;
    private final List<Runnable> afterRenewal = new CopyOnWriteArrayList<>();
    private Runnable beforeJoining = () -> {
    };
    private ProcessLocks processLocks = ProcessLocks.none();
    private ScheduledExecutorService scheduler;
    private volatile boolean joined;
    private volatile boolean closed;
    private volatile String description;

    public WorkerLease(JdbcTemplate jdbc, WorkerIdentity identity, Duration lease, Duration heartbeat) {
        this.jdbc = jdbc;
        this.identity = identity;
        this.lease = lease;
        this.heartbeat = heartbeat;
    }

    public WorkerIdentity identity() {
        return identity;
    }

    /** How long the lease lasts without renewal. */
    public Duration duration() {
        return lease;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    /** Whether this worker has taken its lease (it has run or claimed something). */
    public boolean joined() {
        return joined;
    }

    /**
     * What {@code workers} shows as this worker's command when it joins without naming one (a
     * {@code run} or {@code restart} joins when its job starts, deep in the job's listeners).
     */
    public void describeAs(String command) {
        this.description = command;
    }

    /**
     * Takes this worker's lease, once; later calls do nothing. From then on it is renewed every
     * heartbeat until {@link #close}.
     *
     * @param command what the worker was started as (run, restart, serve...), shown by {@code workers}; when
     *        null, what {@link #describeAs} said, if anything
     */
    public synchronized void join(String command) {
        if (command == null) {
            command = description;
        }
        if (joined) {
            return;
        }
        if (closed) {
            throw new IllegalStateException(identity + " has ended; it takes no more work");
        }
        beforeJoining.run();
        processLocks.hold(identity.instanceId());
        jdbc.update("INSERT INTO BES_WORKER_INSTANCE (INSTANCE_ID, HOST, PID, COMMAND, STARTED_AT, LAST_SEEN, "
                + "LEASE_EXPIRES_AT) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + "
                + DbTime.interval(lease) + ")", identity.instanceId(), identity.host(), identity.pid(),
                command == null ? null : command.length() > 40 ? command.substring(0, 40) : command);
        joined = true;
        // Workers gone for more than a week are forgotten (their executions ended or were taken over).
        jdbc.update("DELETE FROM BES_WORKER_INSTANCE WHERE LEASE_EXPIRES_AT < CURRENT_TIMESTAMP - "
                + DbTime.interval(Duration.ofDays(7)) + " AND NOT EXISTS (SELECT 1 FROM BES_WORKER_OWNER o WHERE "
                + "o.INSTANCE_ID = BES_WORKER_INSTANCE.INSTANCE_ID)");
        CustomizableThreadFactory threads = new CustomizableThreadFactory("worker-lease-");
        threads.setDaemon(true);
        scheduler = Executors.newSingleThreadScheduledExecutor(threads);
        long millis = heartbeat.toMillis();
        scheduler.scheduleWithFixedDelay(this::beat, millis, millis, TimeUnit.MILLISECONDS);
        log.info("{} joined the job repository's workers (lease {}, renewed every {})", identity, lease, heartbeat);
    }

    /** A check that must pass before the lease is taken (it throws to refuse the worker). */
    public void beforeJoining(Runnable check) {
        this.beforeJoining = check;
    }

    /**
     * Lets workers of this machine be known dead at once by their process locks (H2, one machine),
     * rather than only when their lease runs out.
     */
    public void judgeProcessesBy(ProcessLocks locks) {
        this.processLocks = locks;
    }

    /**
     * Ends at once the lease of every other worker whose process lock shows it has ended (killed,
     * or crashed, without giving its lease up). Does nothing without process locks (PostgreSQL).
     */
    public void endLeasesOfEndedProcesses() {
        if (!processLocks.enabled()) {
            return;
        }
        List<String> current = jdbc.queryForList("SELECT INSTANCE_ID FROM BES_WORKER_INSTANCE WHERE LEASE_EXPIRES_AT > "
                + "CURRENT_TIMESTAMP AND INSTANCE_ID <> ?", String.class, identity.instanceId());
        for (String instanceId : current) {
            if (processLocks.ended(instanceId) && jdbc.update("UPDATE BES_WORKER_INSTANCE SET LEASE_EXPIRES_AT = "
                    + "CURRENT_TIMESTAMP WHERE INSTANCE_ID = ? AND LEASE_EXPIRES_AT > CURRENT_TIMESTAMP", instanceId) == 1) {
                log.info("worker {} has ended without giving its lease up (its process lock on this machine is free): "
                        + "its lease ends now", instanceId.substring(0, Math.min(8, instanceId.length())));
            }
        }
    }

    /** Runs the task on the lease's thread after every renewal (stop requests, ownership checks). */
    public void afterRenewal(Runnable task) {
        afterRenewal.add(task);
    }

    /**
     * Renews the lease. A lease that had already expired (the process was paused, or cut off from
     * the database, for longer than the lease) is taken again: what other workers took over
     * meanwhile is theirs (the owner row says so, and this worker's checks stand down), the rest
     * stays this worker's.
     *
     * @return false if the lease had expired before this renewal
     */
    public boolean renew() {
        int renewed = jdbc.update("UPDATE BES_WORKER_INSTANCE SET LAST_SEEN = CURRENT_TIMESTAMP, LEASE_EXPIRES_AT = "
                + "CURRENT_TIMESTAMP + " + DbTime.interval(lease) + " WHERE INSTANCE_ID = ? AND LEASE_EXPIRES_AT > "
                + "CURRENT_TIMESTAMP", identity.instanceId());
        if (renewed == 1) {
            return true;
        }
        log.warn("{}: its lease had expired (this process was paused, or cut off from the database, for longer than "
                + "the lease of {}); taking it again. Executions other workers took over meanwhile are theirs: this "
                + "worker stands down from them", identity, lease);
        int retaken = jdbc.update("UPDATE BES_WORKER_INSTANCE SET LAST_SEEN = CURRENT_TIMESTAMP, LEASE_EXPIRES_AT = "
                + "CURRENT_TIMESTAMP + " + DbTime.interval(lease) + ", ENDED_AT = NULL WHERE INSTANCE_ID = ?",
                identity.instanceId());
        if (retaken == 0) {
            jdbc.update("INSERT INTO BES_WORKER_INSTANCE (INSTANCE_ID, HOST, PID, STARTED_AT, LAST_SEEN, "
                    + "LEASE_EXPIRES_AT) VALUES (?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + "
                    + DbTime.interval(lease) + ")", identity.instanceId(), identity.host(), identity.pid());
        }
        return false;
    }

    /** Whether this worker's lease is current, by the database's clock. */
    public boolean isCurrent() {
        return isCurrent(identity.instanceId());
    }

    /** Whether a worker's lease is current, by the database's clock. */
    public boolean isCurrent(String instanceId) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM BES_WORKER_INSTANCE WHERE INSTANCE_ID = ? AND "
                + "LEASE_EXPIRES_AT > CURRENT_TIMESTAMP", Integer.class, instanceId);
        return count != null && count > 0;
    }

    /** The database's clock now. */
    public OffsetDateTime databaseNow() {
        return jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
    }

    private void beat() {
        if (closed) {
            return;
        }
        try {
            renew();
        }
        catch (RuntimeException ex) {
            log.warn("{}: renewing the lease failed: {}", identity, ex.getMessage());
        }
        for (Runnable task : afterRenewal) {
            try {
                task.run();
            }
            catch (RuntimeException ex) {
                log.warn("{}: heartbeat task failed: {}", identity, ex.getMessage());
            }
        }
    }

    /**
     * Gives the lease up: the worker is recorded as ended, and what it still owned (nothing, after
     * an orderly stop) is free for others at once. Stops the heartbeat.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (joined) {
            try {
                jdbc.update("UPDATE BES_WORKER_INSTANCE SET ENDED_AT = CURRENT_TIMESTAMP, LAST_SEEN = CURRENT_TIMESTAMP, "
                        + "LEASE_EXPIRES_AT = CURRENT_TIMESTAMP WHERE INSTANCE_ID = ?", identity.instanceId());
            }
            catch (RuntimeException ex) {
                log.debug("{}: could not record the end of its lease: {}", identity, ex.getMessage());
            }
        }
        processLocks.close();
    }
}
