package dev.besworker.pipeline;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

import dev.besworker.definition.Units;
import dev.besworker.secrets.Redactor;

/**
 * One log line per state change of a run, each naming the execution: started, each step
 * started and ended, and the run's end with its status and reason.
 */
public class RunLogListener implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger("run");

    @Override
    public void beforeJob(JobExecution execution) {
        MDC.put("execution", String.valueOf(execution.getId()));
        log.info("execution {}: {} of {} ({})", execution.getId(), execution.getStatus(),
                execution.getJobParameters().getString(RunKeys.DEFINITION),
                execution.getStepExecutions().isEmpty() ? "new run" : "restart");
    }

    @Override
    public void afterJob(JobExecution execution) {
        Duration took = execution.getStartTime() == null || execution.getEndTime() == null ? Duration.ZERO
                : Duration.between(execution.getStartTime(), execution.getEndTime());
        String reason = firstFailure(execution).map(RunLogListener::reason)
                .map(r -> ": " + r).orElse("");
        log.info("execution {}: {} after {}{}", execution.getId(), execution.getStatus(), Units.format(took), reason);
        MDC.remove("execution");
    }

    /**
     * What ended the run: the failure of the step that ended it rather than the job's own
     * "Job interrupted by step execution". ({@code getAllFailureExceptions} mixes both in a
     * hash set, so its first element is either.)
     */
    public static Optional<Throwable> firstFailure(JobExecution execution) {
        return Stream.concat(execution.getStepExecutions().stream()
                        .sorted(Comparator.comparing(StepExecution::getId, Comparator.nullsLast(Comparator.naturalOrder())))
                        .flatMap(step -> step.getFailureExceptions().stream()),
                execution.getFailureExceptions().stream()).findFirst();
    }

    /**
     * The sentence that explains a failure, scrubbed: the message of the first of bes-worker's
     * own exceptions in the cause chain (they are written for users), else the root cause's.
     */
    public static String reason(Throwable failure) {
        Throwable root = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getClass().getName().startsWith("dev.besworker.") && cause.getMessage() != null) {
                return Redactor.scrub(cause.getMessage());
            }
            root = cause;
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return Redactor.scrub(message);
    }

    /** Logs each step's start and end with the execution id. */
    public static class Steps implements StepExecutionListener {

        @Override
        public void beforeStep(StepExecution step) {
            log.info("execution {}: step {} started", step.getJobExecutionId(), step.getStepName());
        }

        @Override
        public org.springframework.batch.core.ExitStatus afterStep(StepExecution step) {
            log.info("execution {}: step {} {}", step.getJobExecutionId(), step.getStepName(), step.getStatus());
            return step.getExitStatus();
        }
    }
}
