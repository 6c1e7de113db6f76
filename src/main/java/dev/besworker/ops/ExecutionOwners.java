package dev.besworker.ops;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.besworker.pipeline.ExecutionGuard;
import dev.besworker.pipeline.OwnedExecutionException;

/**
 * Records which process owns each live execution (host, pid, heartbeat) in
 * {@code BES_WORKER_OWNER}, so that an execution left STARTED by a dead process is recognised
 * and recovered, while one whose owner lives is never touched from elsewhere.
 * <p>
 * Only the owning process writes its executions: another process that wants one stopped sets
 * {@code STOP_REQUESTED}, and the owner's heartbeat, seeing it, stops the execution itself.
 * That sidesteps Spring Batch 6.0's cross-process stop races (spring-batch #5120, #5484).
 */
public class ExecutionOwners implements ExecutionGuard, JobExecutionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExecutionOwners.class);

    /** The owner of a live execution as recorded. */
    public record Owner(long executionId, String host, long pid, Instant startedAt, Instant heartbeatAt,
            boolean stopRequested) {

        @Override
        public String toString() {
            return "process " + pid + " on " + host + " (heartbeat " + heartbeatAt + ")";
        }
    }

    private final JdbcTemplate jdbc;
    private final JobRepository jobRepository;
    private final JobOperator jobOperator;
    private final Duration heartbeat;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private final Map<Long, JobExecution> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    public ExecutionOwners(JdbcTemplate jdbc, JobRepository jobRepository, JobOperator jobOperator, Duration heartbeat) {
        this.jdbc = jdbc;
        this.jobRepository = jobRepository;
        this.jobOperator = jobOperator;
        this.heartbeat = heartbeat;
        CustomizableThreadFactory threads = new CustomizableThreadFactory("owner-heartbeat-");
        threads.setDaemon(true);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads);
        long millis = heartbeat.toMillis();
        scheduler.scheduleWithFixedDelay(this::beat, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void beforeJob(JobExecution execution) {
        long now = System.currentTimeMillis();
        jdbc.update("DELETE FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?", execution.getId());
        jdbc.update("INSERT INTO BES_WORKER_OWNER (JOB_EXECUTION_ID, HOST, PID, STARTED_AT, HEARTBEAT_AT, STOP_REQUESTED) "
                + "VALUES (?, ?, ?, ?, ?, FALSE)", execution.getId(), host, pid, now, now);
        running.put(execution.getId(), execution);
    }

    @Override
    public void afterJob(JobExecution execution) {
        running.remove(execution.getId());
        jdbc.update("DELETE FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?", execution.getId());
    }

    /** The executions this process is running now, as live objects. */
    public Map<Long, JobExecution> running() {
        return Map.copyOf(running);
    }

    /** The recorded owner of an execution, if any. */
    public Optional<Owner> owner(long executionId) {
        List<Owner> owners = jdbc.query("SELECT JOB_EXECUTION_ID, HOST, PID, STARTED_AT, HEARTBEAT_AT, STOP_REQUESTED "
                + "FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?", (rs, i) -> new Owner(rs.getLong(1),
                        rs.getString(2), rs.getLong(3), Instant.ofEpochMilli(rs.getLong(4)),
                        Instant.ofEpochMilli(rs.getLong(5)), rs.getBoolean(6)), executionId);
        return owners.stream().findFirst();
    }

    /**
     * Whether the owner still runs: on this host, its process must exist and its heartbeat be
     * recent; on another host, only the heartbeat can tell.
     */
    public boolean isAlive(Owner owner) {
        if (owner.host().equals(host) && owner.pid() == pid) {
            return running.containsKey(owner.executionId());
        }
        boolean fresh = owner.heartbeatAt().isAfter(Instant.now().minus(heartbeat.multipliedBy(6)));
        if (owner.host().equals(host)) {
            return fresh && ProcessHandle.of(owner.pid()).map(ProcessHandle::isAlive).orElse(false);
        }
        return fresh;
    }

    @Override
    public JobExecution takeOver(JobExecution execution) {
        if (!execution.getStatus().isRunning()) {
            return execution;
        }
        Optional<Owner> owner = owner(execution.getId());
        if (owner.isPresent() && isAlive(owner.get())) {
            throw new OwnedExecutionException(execution.getId(), owner.get().toString());
        }
        log.warn("execution {} was left {} by {}, which is gone; recovering it", execution.getId(),
                execution.getStatus(), owner.map(Owner::toString).orElse("a process that left no owner record"));
        jobOperator.recover(execution);
        jdbc.update("DELETE FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?", execution.getId());
        return jobRepository.getJobExecution(execution.getId());
    }

    /**
     * Asks an execution to stop: directly when this process runs it, else through the owner
     * table for its owner to act on.
     *
     * @return true if the request was made, false if nobody alive runs it
     */
    public boolean requestStop(long executionId) {
        JobExecution live = running.get(executionId);
        if (live != null) {
            stopLocally(live);
            return true;
        }
        Optional<Owner> owner = owner(executionId);
        if (owner.isEmpty() || !isAlive(owner.get())) {
            return false;
        }
        jdbc.update("UPDATE BES_WORKER_OWNER SET STOP_REQUESTED = TRUE WHERE JOB_EXECUTION_ID = ?", executionId);
        return true;
    }

    /** Stops every execution this process runs (SIGTERM). */
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

    private void beat() {
        if (running.isEmpty()) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            for (Long id : running.keySet()) {
                jdbc.update("UPDATE BES_WORKER_OWNER SET HEARTBEAT_AT = ? WHERE JOB_EXECUTION_ID = ?", now, id);
                Boolean stop = jdbc.query("SELECT STOP_REQUESTED FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?",
                        rs -> rs.next() ? rs.getBoolean(1) : Boolean.FALSE, id);
                JobExecution live = running.get(id);
                if (Boolean.TRUE.equals(stop) && live != null && !live.isStopping()) {
                    log.info("execution {}: another process asked it to stop", id);
                    stopLocally(live);
                }
            }
        }
        catch (RuntimeException ex) {
            log.warn("heartbeat failed: {}", ex.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (Exception ex) {
            return "localhost";
        }
    }
}
