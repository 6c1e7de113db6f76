package dev.besworker.pipeline;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesException;
import dev.besworker.bes.BesJobState;
import dev.besworker.bes.BesJobStatus;
import dev.besworker.definition.JobDefinition;
import dev.besworker.definition.PollSettings;
import dev.besworker.definition.Units;
import dev.besworker.secrets.Redactor;

/**
 * Step 5: polls the BES job until it ends or the poll timeout, counted from the start, runs
 * out: a few quick polls first (250 ms, doubling up to the definition's initial interval), then
 * intervals growing by half up to the maximum interval (see {@link #nextInterval}). Each change of
 * status is logged with the elapsed time. {@code Failed} and {@code Cancelled} fail the run
 * with the service's details; on timeout the remote job is cancelled first. In each of those
 * cases the job id is forgotten, so that a restart submits anew. A stop request ends the step
 * STOPPED within a fraction of a second, leaving the remote job running for the restart.
 */
class AwaitCompletionTasklet extends ScoringTasklet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AwaitCompletionTasklet.class);
    private static final Duration QUIET_LOG_INTERVAL = Duration.ofMinutes(5);

    private final BesClient bes;

    AwaitCompletionTasklet(JobDefinition definition, JobRepository jobRepository, BesClient bes, StopFlag stop) {
        super(definition, jobRepository, stop);
        this.bes = bes;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) throws Exception {
        String jobId = state.get(RunKeys.BES_JOB_ID).orElseThrow();
        PollSettings poll = definition.poll();
        Instant startedAt = state.get(RunKeys.BES_STARTED).map(Instant::parse).orElse(Instant.now());
        Instant deadline = startedAt.plus(poll.timeout());
        Duration interval = firstInterval(poll);
        BesJobState last = state.get(RunKeys.BES_LAST_STATE).map(BesJobState::valueOf).orElse(null);
        Instant lastLogged = Instant.now();
        int polls = 0;
        while (true) {
            checkStop("while BES job " + jobId + " was " + (last == null ? "starting" : last));
            BesJobStatus status;
            try {
                status = bes.status(jobId);
            }
            catch (BesException ex) {
                if (ex.isNotFound()) {
                    forget(state);
                    throw new RemoteJobException("BES no longer knows job " + jobId
                            + " (404); a restart submits the run again");
                }
                throw ex;
            }
            polls++;
            contribution.incrementReadCount();
            Duration elapsed = Duration.between(startedAt, Instant.now());
            if (status.state() != last) {
                log.info("BES job {}: {} -> {} after {} ({} polls)", jobId, last == null ? "started" : last,
                        status.state(), Units.format(elapsed), polls);
                last = status.state();
                state.put(RunKeys.BES_LAST_STATE, last.name());
                lastLogged = Instant.now();
            }
            else if (Duration.between(lastLogged, Instant.now()).compareTo(QUIET_LOG_INTERVAL) >= 0) {
                log.info("BES job {}: still {} after {} ({} polls, next in {})", jobId, last,
                        Units.format(elapsed), polls, Units.format(interval));
                lastLogged = Instant.now();
            }
            switch (status.state()) {
                case FINISHED -> {
                    return;
                }
                case FAILED -> {
                    forget(state);
                    throw new RemoteJobException("BES job " + jobId + " failed: "
                            + Redactor.scrub(status.details() == null ? "(no details given)" : status.details()));
                }
                case CANCELLED -> {
                    forget(state);
                    throw new RemoteJobException("BES job " + jobId + " was cancelled by the service or an operator");
                }
                default -> {
                }
            }
            Instant now = Instant.now();
            if (!now.isBefore(deadline)) {
                cancelQuietly(jobId);
                forget(state);
                throw new RemoteJobException("BES job " + jobId + " did not finish within the poll timeout of "
                        + Units.format(poll.timeout()) + " (still " + last + "); it was cancelled. "
                        + "Restart to submit it again, or raise poll.timeout in the definition");
            }
            Duration wait = interval.compareTo(Duration.between(now, deadline)) < 0 ? interval
                    : Duration.between(now, deadline);
            log.debug("BES job {}: {}, next poll in {}", jobId, last, wait);
            sleepUnlessStopped(wait);
            interval = nextInterval(interval, poll);
        }
    }

    /** Quick first polls: a job that takes a fraction of a second is noticed in a fraction of a second. */
    static final Duration FIRST_POLL = Duration.ofMillis(250);

    static Duration firstInterval(PollSettings poll) {
        return FIRST_POLL.compareTo(poll.initialInterval()) < 0 ? FIRST_POLL : poll.initialInterval();
    }

    /**
     * The wait after {@code current}: doubling from {@link #FIRST_POLL} up to the initial interval,
     * then growing by half each time up to the maximum. Growing by half rather than doubling keeps
     * the delay between a job's end and its notice at about a third of its running time (a tenth
     * of it on average), for a few more calls: 21 for a 10-minute job with 2 s and 60 s.
     */
    static Duration nextInterval(Duration current, PollSettings poll) {
        Duration next = current.compareTo(poll.initialInterval()) < 0 ? current.multipliedBy(2)
                : current.plus(current.dividedBy(2));
        if (current.compareTo(poll.initialInterval()) < 0 && next.compareTo(poll.initialInterval()) > 0) {
            next = poll.initialInterval();
        }
        return next.compareTo(poll.maxInterval()) > 0 ? poll.maxInterval() : next;
    }

    private void cancelQuietly(String jobId) {
        try {
            bes.cancel(jobId);
            log.info("cancelled BES job {}", jobId);
        }
        catch (BesException ex) {
            log.warn("could not cancel BES job {}: {}", jobId, ex.getMessage());
        }
    }

    private static void forget(RunState state) {
        state.remove(RunKeys.BES_JOB_ID, RunKeys.BES_STARTED, RunKeys.BES_LAST_STATE);
    }

    @Override
    public void close() {
        bes.close();
    }
}
