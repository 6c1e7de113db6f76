package dev.besworker.web;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;

import dev.besworker.ops.ExecutionOwners;
import dev.besworker.ops.OperatorActions;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.RunLogListener;
import dev.besworker.serve.RunDispatcher;
import dev.besworker.serve.ServeDaemon;
import dev.besworker.web.ActionAudit.Action;
import dev.besworker.web.ActionAudit.Result;

/**
 * What operators do from the console and the API: restart, stop, abandon an execution, retry a
 * failed inbox file. Each is checked against the execution's state first (a refusal is a 409
 * with the reason), audited, and, for restarts, queued in serve's run queue so that it waits
 * for a slot under the same limits as inbox work. A restart of an inbox file's execution moves
 * the file back into its inbox instead, so that it ends in {@code done/} like any other.
 */
public class ConsoleActions {

    private static final Logger log = LoggerFactory.getLogger(ConsoleActions.class);

    /** What an action did, for the caller. */
    public record Outcome(long auditId, Result result, String message) {
    }

    private final JobRepository jobRepository;
    private final ExecutionOwners owners;
    private final OperatorActions actions;
    private final InboxFiles inboxFiles;
    private final ActionAudit audit;
    private final ObjectProvider<ServeDaemon> daemon;
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();

    public ConsoleActions(JobRepository jobRepository, ExecutionOwners owners, OperatorActions actions,
            InboxFiles inboxFiles, ActionAudit audit, ObjectProvider<ServeDaemon> daemon) {
        this.jobRepository = jobRepository;
        this.owners = owners;
        this.actions = actions;
        this.inboxFiles = inboxFiles;
        this.audit = audit;
        this.daemon = daemon;
    }

    /** Whether the state allows a restart (null) or why not. */
    public String whyNotRestart(JobExecution execution) {
        BatchStatus status = execution.getStatus();
        if (status == BatchStatus.COMPLETED) {
            return "execution " + execution.getId() + " completed; there is nothing to restart";
        }
        if (status == BatchStatus.ABANDONED) {
            return "execution " + execution.getId() + " was abandoned and cannot be restarted; score its input again";
        }
        if (queued.contains(execution.getId())) {
            return "a restart of execution " + execution.getId() + " is already queued";
        }
        if (status.isRunning() && ownerAlive(execution.getId())) {
            return "execution " + execution.getId() + " is running (" + status + "); stop it first";
        }
        return null;
    }

    /** Whether the state allows a stop (null) or why not. */
    public String whyNotStop(JobExecution execution) {
        return execution.getStatus().isRunning() ? null
                : "execution " + execution.getId() + " is not running (" + execution.getStatus() + ")";
    }

    /** Whether the state allows abandoning (null) or why not. */
    public String whyNotAbandon(JobExecution execution) {
        BatchStatus status = execution.getStatus();
        if (status == BatchStatus.COMPLETED || status == BatchStatus.ABANDONED) {
            return "execution " + execution.getId() + " is " + status + "; there is nothing to abandon";
        }
        if (status.isRunning() && ownerAlive(execution.getId())) {
            return "execution " + execution.getId() + " is running; stop it first, then abandon it";
        }
        if (queued.contains(execution.getId())) {
            return "a restart of execution " + execution.getId() + " is queued";
        }
        return null;
    }

    /** Restarts an execution through serve's queue (or its inbox, for an inbox file's execution). */
    public Outcome restart(long executionId, String user) {
        JobExecution execution = find(executionId);
        refuseIf(user, Action.RESTART, executionId, whyNotRestart(execution));
        Optional<InboxFiles.FailedFile> file = inboxFiles.failedFileOf(executionId);
        if (file.isPresent()) {
            inboxFiles.retry(file.get().definition(), file.get().name());
            String message = file.get().name() + " moved back into the inbox of " + file.get().definition()
                    + "; serve restarts execution " + executionId + " from it when a slot is free";
            log.info("console: {} restarts execution {}: {}", user, executionId, message);
            return new Outcome(audit.record(user, Action.RESTART, executionId, target(executionId), Result.DONE,
                    message), Result.DONE, message);
        }
        RunDispatcher dispatcher = dispatcher();
        String definition = execution.getJobParameters().getString(RunKeys.DEFINITION);
        if (!queued.add(executionId)) {
            refuseIf(user, Action.RESTART, executionId, "a restart of execution " + executionId + " is already queued");
        }
        long auditId = audit.record(user, Action.RESTART, executionId, target(executionId), Result.QUEUED,
                "queued; it starts when a slot is free");
        boolean accepted = dispatcher.submitRestart(executionId, definition,
                () -> restartEnded(execution, auditId, user), () -> restartDropped(executionId, auditId, user));
        if (!accepted) {
            queued.remove(executionId);
            String why = dispatcher.stopping() ? "serve is shutting down; restart it later"
                    : "execution " + executionId + " is queued or restarting already";
            audit.ended(auditId, Result.REFUSED, why);
            throw new ApiException(dispatcher.stopping() ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.CONFLICT, why);
        }
        log.info("console: {} queued the restart of execution {}", user, executionId);
        return new Outcome(auditId, Result.QUEUED, "restart of execution " + executionId
                + " queued; it starts when a slot is free");
    }

    /** Records that serve stopped before a queued restart got a slot: nothing ran; it can be asked again. */
    private void restartDropped(long executionId, long auditId, String user) {
        queued.remove(executionId);
        String message = "not started: serve stopped before a slot was free; execution " + executionId
                + " is as it was: restart it again";
        audit.ended(auditId, Result.FAILED, message);
        log.info("console: restart of execution {} asked by {}: {}", executionId, user, message);
    }

    /** Records how a queued restart ended, from the newest execution of the same work. */
    private void restartEnded(JobExecution original, long auditId, String user) {
        long executionId = original.getId();
        try {
            JobExecution last = jobRepository.getLastJobExecution(original.getJobInstance());
            String message;
            Result result;
            if (last == null || last.getId() == executionId) {
                result = Result.FAILED;
                message = "execution " + executionId + " was not restarted (" + (last == null ? "gone"
                        : last.getStatus()) + "); see serve's log";
            }
            else {
                result = last.getStatus() == BatchStatus.COMPLETED ? Result.DONE : Result.FAILED;
                message = "restarted as execution " + last.getId() + ": " + last.getStatus()
                        + RunLogListener.firstFailure(last).map(f -> ": " + RunLogListener.reason(f)).orElse("");
            }
            audit.ended(auditId, result, message);
            log.info("console: restart of execution {} asked by {}: {}", executionId, user, message);
        }
        catch (RuntimeException ex) {
            audit.ended(auditId, Result.FAILED, RunLogListener.reason(ex));
        }
        finally {
            queued.remove(executionId);
        }
    }

    /** Asks the process running an execution to stop it (it ends STOPPED, restartable). */
    public Outcome stop(long executionId, String user) {
        JobExecution execution = find(executionId);
        refuseIf(user, Action.STOP, executionId, whyNotStop(execution));
        String message = actions.stop(execution).requested()
                ? "stop requested; execution " + executionId + " ends STOPPED shortly and can be restarted"
                : "execution " + executionId + " was left running by a process that is gone; marked FAILED";
        log.info("console: {} stops execution {}: {}", user, executionId, message);
        return new Outcome(audit.record(user, Action.STOP, executionId, target(executionId), Result.DONE, message),
                Result.DONE, message);
    }

    /** Gives an execution up for good: cancels its BES job and marks it ABANDONED. */
    public Outcome abandon(long executionId, String user) {
        JobExecution execution = find(executionId);
        refuseIf(user, Action.ABANDON, executionId, whyNotAbandon(execution));
        try {
            String message = "execution " + executionId + " ABANDONED" + cancelled(actions.abandon(execution));
            log.info("console: {} abandons execution {}: {}", user, executionId, message);
            return new Outcome(audit.record(user, Action.ABANDON, executionId, target(executionId), Result.DONE,
                    message), Result.DONE, message);
        }
        catch (Exception ex) {
            String reason = RunLogListener.reason(ex);
            audit.record(user, Action.ABANDON, executionId, target(executionId), Result.FAILED, reason);
            throw new ApiException(HttpStatus.CONFLICT, "could not abandon execution " + executionId + ": " + reason);
        }
    }

    /** Moves a failed inbox file back into its inbox. */
    public Outcome retryFile(String definition, String name, String user) {
        String target = "file " + name + " of " + definition;
        try {
            inboxFiles.retry(definition, name);
        }
        catch (ApiException ex) {
            audit.record(user, Action.RETRY_FILE, null, target, Result.REFUSED, ex.getMessage());
            throw ex;
        }
        String message = name + " moved back into the inbox of " + definition + "; serve takes it when a slot is free";
        log.info("console: {} retries {}", user, target);
        return new Outcome(audit.record(user, Action.RETRY_FILE, null, target, Result.DONE, message), Result.DONE,
                message);
    }

    /** The execution, or a 404. */
    public JobExecution find(long executionId) {
        return RunIndex.findExecution(jobRepository, executionId)
                .orElseThrow(() -> ApiException.notFound("there is no execution " + executionId));
    }

    private boolean ownerAlive(long executionId) {
        return owners.running().containsKey(executionId)
                || owners.owner(executionId).map(owners::isAlive).orElse(false);
    }

    private void refuseIf(String user, Action action, long executionId, String reason) {
        if (reason != null) {
            audit.record(user, action, executionId, target(executionId), Result.REFUSED, reason);
            throw ApiException.conflict(reason);
        }
    }

    private RunDispatcher dispatcher() {
        ServeDaemon serve = daemon.getIfAvailable();
        RunDispatcher dispatcher = serve == null ? null : serve.dispatcher();
        if (dispatcher == null) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "serve's run queue is not running");
        }
        return dispatcher;
    }

    /** What became of the BES job, as the end of the message. */
    private static String cancelled(OperatorActions.Abandoned abandoned) {
        return switch (abandoned.cancel()) {
            case NO_JOB, EMBEDDED -> "";
            case CANCELLED -> "; BES job " + abandoned.jobId() + " cancelled";
            case FAILED -> "; BES job " + abandoned.jobId() + " could not be cancelled: " + abandoned.failure();
        };
    }

    private static String target(long executionId) {
        return "execution " + executionId;
    }
}
