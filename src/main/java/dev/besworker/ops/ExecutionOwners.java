package dev.besworker.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.cluster.RestartLocks;
import dev.besworker.cluster.WorkerIdentity;
import dev.besworker.cluster.WorkerLease;
import dev.besworker.pipeline.ExecutionGuard;
import dev.besworker.pipeline.OwnedExecutionException;

/**
 * Records which worker owns each live execution in {@code BES_WORKER_OWNER}, by the worker's
 * instance id, whose lease ({@link WorkerLease}) says whether it lives. An execution whose owner's
 * lease has expired (by the database's clock) may be taken over; one whose owner's lease is current
 * is never touched from elsewhere, whatever host and pid say.
 * <p>
 * Only the owning worker writes its executions: another that wants one stopped sets
 * {@code STOP_REQUESTED} on the owner's row, and the owner's heartbeat, seeing it, stops the
 * execution itself. That sidesteps Spring Batch 6.0's cross-process stop races (spring-batch
 * #5120, #5484). A take-over moves the owner row to the new owner in one conditional UPDATE; the
 * old owner, should it wake up, finds the row no longer its own and stands down.
 */
public class ExecutionOwners implements ExecutionGuard, JobExecutionListener, Ordered, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExecutionOwners.class);

    private static final String RUNNING = "('STARTING', 'STARTED', 'STOPPING')";

    /**
     * The owner of a live execution as recorded, with its lease as the database judged it when read.
     *
     * @param instanceId the owning worker, or null for a row written before leases existed
     * @param startedAt when the owner started it, by the owner's clock (display only)
     * @param lastSeen the owner's last renewal, by the database's clock; null if the worker is unknown
     * @param leaseExpiresAt when its lease runs out, by the database's clock; null if the worker is unknown
     * @param leaseCurrent whether its lease was current when read, by the database's clock
     */
    public record Owner(long executionId, String instanceId, String host, long pid, Instant startedAt,
            OffsetDateTime lastSeen, OffsetDateTime leaseExpiresAt, boolean leaseCurrent, boolean stopRequested) {

        @Override
        public String toString() {
            String worker = instanceId == null ? "no worker id"
                    : "worker " + (instanceId.length() > 8 ? instanceId.substring(0, 8) : instanceId);
            String lease = leaseExpiresAt == null ? "no lease"
                    : (leaseCurrent ? "lease until " : "lease expired ") + leaseExpiresAt.toInstant();
            return "process " + pid + " on " + host + " (" + worker + ", " + lease + ")";
        }
    }

    private final JdbcTemplate jdbc;
    private final JobRepository jobRepository;
    private final JobOperator jobOperator;
    private final WorkerLease lease;
    private final RestartLocks restartLocks;
    private final Clock clock;
    private final Map<Long, JobExecution> running = new ConcurrentHashMap<>();
    /** Executions this worker lost to another: it writes nothing more of them. */
    private final Set<Long> lost = ConcurrentHashMap.newKeySet();
    /** Executions this worker ran to their end itself (the newest 10,000). */
    private final Set<Long> endedHere = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                    return size() > 10_000;
                }
            }));
    /** Running executions without an owner, and when (database time) this worker first saw them so. */
    private final Map<Long, OffsetDateTime> unownedSince = new ConcurrentHashMap<>();

    public ExecutionOwners(JdbcTemplate jdbc, JobRepository jobRepository, JobOperator jobOperator, WorkerLease lease,
            RestartLocks restartLocks, Clock clock) {
        this.jdbc = jdbc;
        this.jobRepository = jobRepository;
        this.jobOperator = jobOperator;
        this.lease = lease;
        this.restartLocks = restartLocks;
        this.clock = clock;
        lease.afterRenewal(this::beat);
    }

    /** This worker. */
    public WorkerIdentity identity() {
        return lease.identity();
    }

    /** First before a job (the owner row exists before anything else runs), last after it. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        lease.join(null);
        long now = clock.millis();
        WorkerIdentity me = lease.identity();
        try {
            jdbc.update("INSERT INTO BES_WORKER_OWNER (JOB_EXECUTION_ID, HOST, PID, STARTED_AT, HEARTBEAT_AT, "
                    + "STOP_REQUESTED, INSTANCE_ID) VALUES (?, ?, ?, ?, ?, FALSE, ?)", execution.getId(), me.host(),
                    me.pid(), now, now, me.instanceId());
            // Only after the row exists: the heartbeat takes a running execution without one as taken over.
            running.put(execution.getId(), execution);
        }
        catch (DuplicateKeyException ex) {
            running.put(execution.getId(), execution);
            standDown(execution.getId(), "another worker claimed it before this one had recorded itself as its owner");
        }
        finally {
            // The new execution exists and is owned: other restarts of its job instance may look now.
            restartLocks.releaseHeldByThisThread();
        }
    }

    @Override
    public void afterJob(JobExecution execution) {
        long id = execution.getId();
        running.remove(id);
        int deleted = jdbc.update("DELETE FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ? AND INSTANCE_ID = ?", id,
                lease.identity().instanceId());
        if (deleted == 1 && !lost.contains(id)) {
            endedHere.add(id);
        }
        else if (lost.add(id)) {
            log.warn("execution {} ended here after another worker had taken it over; its results are the new "
                    + "owner's to record", id);
        }
    }

    /** The executions this worker is running now, as live objects. */
    public Map<Long, JobExecution> running() {
        return Map.copyOf(running);
    }

    /** The recorded owner of an execution, if any. */
    public Optional<Owner> owner(long executionId) {
        List<Owner> owners = jdbc.query("SELECT o.JOB_EXECUTION_ID, o.INSTANCE_ID, COALESCE(i.HOST, o.HOST), "
                + "COALESCE(i.PID, o.PID), o.STARTED_AT, i.LAST_SEEN, i.LEASE_EXPIRES_AT, CASE WHEN "
                + "i.LEASE_EXPIRES_AT > CURRENT_TIMESTAMP THEN 1 ELSE 0 END, o.STOP_REQUESTED FROM BES_WORKER_OWNER o "
                + "LEFT JOIN BES_WORKER_INSTANCE i ON i.INSTANCE_ID = o.INSTANCE_ID WHERE o.JOB_EXECUTION_ID = ?",
                (rs, i) -> new Owner(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        Instant.ofEpochMilli(rs.getLong(5)), rs.getObject(6, OffsetDateTime.class),
                        rs.getObject(7, OffsetDateTime.class), rs.getInt(8) == 1, rs.getBoolean(9)),
                executionId);
        return owners.stream().findFirst();
    }

    /** Whether the owner's lease was current when it was read (the database's clock decides). */
    public boolean isAlive(Owner owner) {
        return owner.leaseCurrent();
    }

    /**
     * The executions to take over: running (STARTING, STARTED, STOPPING) ones whose owner's lease
     * has expired by the database's clock, and running ones without an owner that this worker has
     * seen so for at least a lease (an execution has no owner row for a moment when it is created).
     * Executions of this worker are never among them.
     */
    public List<Long> orphans() {
        lease.endLeasesOfEndedProcesses();
        OffsetDateTime now = lease.databaseNow();
        List<Long> orphans = new ArrayList<>(jdbc.queryForList("SELECT e.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION e "
                + "JOIN BES_WORKER_OWNER o ON o.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID LEFT JOIN BES_WORKER_INSTANCE i "
                + "ON i.INSTANCE_ID = o.INSTANCE_ID WHERE e.STATUS IN " + RUNNING + " AND o.INSTANCE_ID IS NOT NULL "
                + "AND (i.INSTANCE_ID IS NULL OR i.LEASE_EXPIRES_AT <= CURRENT_TIMESTAMP) ORDER BY e.JOB_EXECUTION_ID",
                Long.class));
        List<Long> unowned = jdbc.queryForList("SELECT e.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION e WHERE e.STATUS IN "
                + RUNNING + " AND NOT EXISTS (SELECT 1 FROM BES_WORKER_OWNER o WHERE o.JOB_EXECUTION_ID = "
                + "e.JOB_EXECUTION_ID AND o.INSTANCE_ID IS NOT NULL) ORDER BY e.JOB_EXECUTION_ID", Long.class);
        unownedSince.keySet().retainAll(unowned);
        for (Long id : unowned) {
            OffsetDateTime since = unownedSince.computeIfAbsent(id, key -> now);
            if (!running.containsKey(id) && Duration.between(since, now).compareTo(lease.duration()) >= 0) {
                orphans.add(id);
            }
        }
        orphans.removeIf(running::containsKey);
        return orphans;
    }

    /**
     * Makes a running execution ready for a restart here: refused while its owner's lease is
     * current; otherwise claimed for this worker (one conditional UPDATE, so that of two workers
     * only one gets it), recovered (FAILED) and released for the restart. An owner whose lease is
     * still current but not renewed is watched for up to a lease: it renews (it lives: refused) or
     * its lease runs out (it is gone: taken over).
     *
     * @throws OwnedExecutionException when a live worker owns it
     */
    @Override
    public JobExecution takeOver(JobExecution execution) {
        if (!execution.getStatus().isRunning()) {
            return execution;
        }
        long id = execution.getId();
        if (running.containsKey(id)) {
            throw new OwnedExecutionException(id, "this " + lease.identity());
        }
        Owner gone = awaitGoneOrThrow(id);
        JobExecution current = jobRepository.getJobExecution(id);
        if (current == null || !current.getStatus().isRunning()) {
            return current == null ? execution : current;
        }
        lease.join(null);
        if (!claim(id, gone)) {
            throw new OwnedExecutionException(id, owner(id).map(Owner::toString).orElse("another worker"));
        }
        log.warn("execution {} was left {} by {}, which is gone; recovering it", id, current.getStatus(),
                gone == null ? "a process that left no owner record" : gone.toString());
        recover(id);
        jdbc.update("DELETE FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ? AND INSTANCE_ID = ?", id,
                lease.identity().instanceId());
        unownedSince.remove(id);
        return jobRepository.getJobExecution(id);
    }

    /**
     * Waits until the owner is shown to be gone (its lease expired) and returns it, or null when
     * the execution has no owner; throws as soon as a live owner renews its lease.
     */
    private Owner awaitGoneOrThrow(long id) {
        Owner first = owner(id).orElse(null);
        Duration patience = first == null ? lease.heartbeat() : lease.duration().plus(lease.heartbeat());
        long deadline = System.nanoTime() + patience.toNanos();
        Duration pause = Duration.ofMillis(Math.max(50, Math.min(250, lease.heartbeat().toMillis() / 4)));
        boolean told = false;
        while (true) {
            lease.endLeasesOfEndedProcesses();
            Owner now = owner(id).orElse(null);
            if (now != null && (now.instanceId() == null || !now.leaseCurrent())) {
                return now;
            }
            if (now != null && (lease.identity().instanceId().equals(now.instanceId())
                    || (first != null && !Objects.equals(first.lastSeen(), now.lastSeen())))) {
                throw new OwnedExecutionException(id, now.toString());
            }
            JobExecution execution = jobRepository.getJobExecution(id);
            if (execution == null || !execution.getStatus().isRunning()) {
                return now;
            }
            if (System.nanoTime() >= deadline) {
                if (now == null) {
                    return null;
                }
                throw new OwnedExecutionException(id, now.toString());
            }
            if (now != null && !told) {
                log.info("execution {} belongs to {}; waiting up to {} to see it renew its lease (it lives: left "
                        + "alone) or let it expire (it is gone: taken over)", id, now, patience);
                told = true;
            }
            if (first == null && now != null) {
                // An owner recorded itself meanwhile: give it a lease to show it lives.
                first = now;
                patience = lease.duration().plus(lease.heartbeat());
                deadline = System.nanoTime() + patience.toNanos();
            }
            try {
                Thread.sleep(pause.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new OwnedExecutionException(id, now == null ? "no owner yet" : now.toString());
            }
        }
    }

    /** Moves the owner row to this worker, if it still names the gone owner (or none) and no live lease. */
    private boolean claim(long id, Owner gone) {
        WorkerIdentity me = lease.identity();
        long now = clock.millis();
        if (gone == null) {
            try {
                return jdbc.update("INSERT INTO BES_WORKER_OWNER (JOB_EXECUTION_ID, HOST, PID, STARTED_AT, HEARTBEAT_AT, "
                        + "STOP_REQUESTED, INSTANCE_ID) VALUES (?, ?, ?, ?, ?, FALSE, ?)", id, me.host(), me.pid(), now,
                        now, me.instanceId()) == 1;
            }
            catch (DuplicateKeyException ex) {
                return false;
            }
        }
        String byOwner = gone.instanceId() == null ? "INSTANCE_ID IS NULL" : "INSTANCE_ID = ?";
        List<Object> args = new ArrayList<>(List.of(me.instanceId(), me.host(), me.pid(), now, now, id));
        if (gone.instanceId() != null) {
            args.add(gone.instanceId());
        }
        return jdbc.update("UPDATE BES_WORKER_OWNER SET INSTANCE_ID = ?, HOST = ?, PID = ?, STARTED_AT = ?, "
                + "HEARTBEAT_AT = ?, STOP_REQUESTED = FALSE WHERE JOB_EXECUTION_ID = ? AND " + byOwner + " AND NOT "
                + "EXISTS (SELECT 1 FROM BES_WORKER_INSTANCE i WHERE i.INSTANCE_ID = BES_WORKER_OWNER.INSTANCE_ID AND "
                + "i.LEASE_EXPIRES_AT > CURRENT_TIMESTAMP)", args.toArray()) == 1;
    }

    /** Marks the claimed execution FAILED (restartable), unless its old owner ended it meanwhile. */
    private void recover(long id) {
        for (int attempt = 1; ; attempt++) {
            JobExecution execution = jobRepository.getJobExecution(id);
            if (execution == null || !execution.getStatus().isRunning()) {
                return;
            }
            try {
                jobOperator.recover(execution);
                return;
            }
            catch (OptimisticLockingFailureException ex) {
                if (attempt >= 3) {
                    throw ex;
                }
                log.debug("execution {} changed while being recovered ({}); reading it again", id, ex.getMessage());
            }
        }
    }

    /**
     * Whether this worker still owns the execution: for one it runs, a conditional UPDATE of its
     * owner row that matches this worker's id and current lease, in the database (a lapsed lease
     * is taken again first, if the row is still this worker's). For one it ran to its end, true.
     * Once false for an execution it runs, the worker stands down from it.
     */
    @Override
    public boolean stillOwns(long executionId) {
        if (lost.contains(executionId)) {
            return false;
        }
        if (endedHere.contains(executionId)) {
            return true;
        }
        if (!lease.joined()) {
            return false;
        }
        if (confirm(executionId)) {
            return true;
        }
        String ownerId = jdbc.query("SELECT INSTANCE_ID FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?",
                rs -> rs.next() ? rs.getString(1) : null, executionId);
        if (lease.identity().instanceId().equals(ownerId)) {
            lease.renew();
            if (confirm(executionId)) {
                return true;
            }
        }
        if (running.containsKey(executionId)) {
            standDown(executionId, owner(executionId).map(o -> "it now belongs to " + o).orElse("another worker took it over"));
        }
        return false;
    }

    private boolean confirm(long executionId) {
        String me = lease.identity().instanceId();
        return jdbc.update("UPDATE BES_WORKER_OWNER SET HEARTBEAT_AT = ? WHERE JOB_EXECUTION_ID = ? AND INSTANCE_ID = ? "
                + "AND EXISTS (SELECT 1 FROM BES_WORKER_INSTANCE i WHERE i.INSTANCE_ID = ? AND i.LEASE_EXPIRES_AT > "
                + "CURRENT_TIMESTAMP)", clock.millis(), executionId, me, me) == 1;
    }

    /** Stops writing an execution another worker has: its job stops in memory, at its next check. */
    private void standDown(long executionId, String why) {
        if (lost.add(executionId)) {
            log.warn("execution {}: {}; this worker stands down: it writes nothing more of it and leaves its BES job "
                    + "and files to the new owner", executionId, why);
        }
        JobExecution live = running.get(executionId);
        if (live != null) {
            stopLocally(live);
        }
    }

    @Override
    public RestartLock lockRestarts(long jobInstanceId) {
        return restartLocks.lock(jobInstanceId);
    }

    /**
     * Asks an execution to stop: directly when this worker runs it, else through its owner's row
     * for the owner to act on, wherever it runs.
     *
     * @return true if the request was made, false if no worker with a current lease runs it
     */
    public boolean requestStop(long executionId) {
        JobExecution live = running.get(executionId);
        if (live != null) {
            stopLocally(live);
            return true;
        }
        return jdbc.update("UPDATE BES_WORKER_OWNER SET STOP_REQUESTED = TRUE WHERE JOB_EXECUTION_ID = ? AND EXISTS "
                + "(SELECT 1 FROM BES_WORKER_INSTANCE i WHERE i.INSTANCE_ID = BES_WORKER_OWNER.INSTANCE_ID AND "
                + "i.LEASE_EXPIRES_AT > CURRENT_TIMESTAMP)", executionId) == 1;
    }

    /** Stops every execution this worker runs (SIGTERM). */
    public void stopAll() {
        running.values().forEach(this::stopLocally);
    }

    /**
     * Flags the live execution and its running step as stopping, in memory only: the job's own
     * thread notices within a fraction of a second, ends the step STOPPED and records it.
     * {@code JobOperator.stop} would also write the running step execution from this thread,
     * racing the step's own write of it (OptimisticLockingFailureException: the step ends UNKNOWN
     * and cannot be restarted).
     */
    private void stopLocally(JobExecution live) {
        if (!live.getStatus().isRunning()) {
            log.debug("execution {} already ended", live.getId());
            return;
        }
        log.info("stopping execution {}", live.getId());
        live.setStatus(BatchStatus.STOPPING);
        live.getStepExecutions().stream().filter(step -> step.getStatus().isRunning())
                .forEach(StepExecution::setTerminateOnly);
    }

    /** After each lease renewal: stand down from executions taken over, act on stop requests. */
    private void beat() {
        // Before the query: an execution is in 'running' only once its owner row exists.
        Set<Long> ids = Set.copyOf(running.keySet());
        if (ids.isEmpty()) {
            return;
        }
        Map<Long, Boolean> mine = new LinkedHashMap<>();
        jdbc.query("SELECT JOB_EXECUTION_ID, STOP_REQUESTED FROM BES_WORKER_OWNER WHERE INSTANCE_ID = ?",
                rs -> {
                    mine.put(rs.getLong(1), rs.getBoolean(2));
                }, lease.identity().instanceId());
        for (Long id : ids) {
            JobExecution live = running.get(id);
            if (live == null) {
                continue;
            }
            Boolean stop = mine.get(id);
            if (stop == null) {
                if (!lost.contains(id) && live.getStatus().isRunning() && running.containsKey(id)) {
                    standDown(id, owner(id).map(o -> "it now belongs to " + o).orElse("another worker took it over"));
                }
            }
            else if (stop && !live.isStopping()) {
                log.info("execution {}: another process asked it to stop", id);
                stopLocally(live);
            }
        }
    }

    @Override
    public void close() {
        lease.close();
    }
}
