package dev.besworker.pipeline;

import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

import dev.besworker.definition.Units;
import dev.besworker.secrets.Redactor;

/**
 * One log line per state change of a run, each naming the execution: started (as a new run or
 * a restart), each step started and ended, and the run's end with its status and reason. While
 * the run goes, the logging context (MDC) of its thread carries {@value #EXECUTION} and
 * {@value #DEFINITION}: fields of every line in structured (JSON) logs.
 */
public class RunLogListener implements JobExecutionListener {

    /** The MDC key of the execution id. */
    public static final String EXECUTION = "execution";

    /** The MDC key of the definition's name. */
    public static final String DEFINITION = "definition";

    private static final Logger log = LoggerFactory.getLogger("run");

    private final JobRepository jobRepository;

    public RunLogListener(JobRepository jobRepository) {
        this.jobRepository = jobRepository;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        String definition = execution.getJobParameters().getString(RunKeys.DEFINITION);
        MDC.put(EXECUTION, String.valueOf(execution.getId()));
        if (definition != null) {
            MDC.put(DEFINITION, definition);
        }
        log.info("execution {}: {} of {} ({})", execution.getId(), execution.getStatus(), definition,
                isRestart(execution) ? "restart" : "new run");
    }

    /** Whether the run's job instance has an execution before this one (its step executions are not made yet). */
    private boolean isRestart(JobExecution execution) {
        return jobRepository.getJobExecutions(execution.getJobInstance()).stream()
                .anyMatch(earlier -> !Objects.equals(earlier.getId(), execution.getId()));
    }

    @Override
    public void afterJob(JobExecution execution) {
        Duration took = execution.getStartTime() == null || execution.getEndTime() == null ? Duration.ZERO
                : Duration.between(execution.getStartTime(), execution.getEndTime());
        String reason = firstFailure(execution).map(RunLogListener::reason)
                .map(r -> ": " + r).orElse("");
        log.info("execution {}: {} after {}{}", execution.getId(), execution.getStatus(), Units.format(took), reason);
        MDC.remove(EXECUTION);
        MDC.remove(DEFINITION);
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
