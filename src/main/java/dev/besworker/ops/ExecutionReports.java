package dev.besworker.ops;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.secrets.Redactor;

/**
 * The facts {@code list} and {@code show} print, read from the job repository. Nothing secret
 * is stored there, and everything read is scrubbed once more on the way out.
 */
public class ExecutionReports {

    /** One execution in a listing. */
    public record ExecutionSummary(long executionId, long instanceId, String definition, String input,
            BatchStatus status, String exitCode, LocalDateTime startTime, LocalDateTime endTime, String besJobId,
            String error) {
    }

    /** One step of an execution. */
    public record StepSummary(String name, BatchStatus status, String exitCode, LocalDateTime startTime,
            LocalDateTime endTime, long readCount, long writeCount, String error) {
    }

    /** Everything {@code show} tells about an execution. */
    public record ExecutionDetail(ExecutionSummary summary, Map<String, String> parameters,
            Map<String, String> context, List<StepSummary> steps, String owner) {
    }

    private final JdbcTemplate jdbc;
    private final JobRepository jobRepository;
    private final ExecutionOwners owners;

    public ExecutionReports(JdbcTemplate jdbc, JobRepository jobRepository, ExecutionOwners owners) {
        this.jdbc = jdbc;
        this.jobRepository = jobRepository;
        this.owners = owners;
    }

    /** The newest executions, optionally of one definition and one status. */
    public List<ExecutionSummary> list(String definition, BatchStatus status, int limit) {
        StringBuilder sql = new StringBuilder("SELECT e.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION e");
        List<Object> args = new ArrayList<>();
        if (definition != null) {
            sql.append(" JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID"
                    + " AND p.PARAMETER_NAME = ? AND p.PARAMETER_VALUE = ?");
            args.add(RunKeys.DEFINITION);
            args.add(definition);
        }
        if (status != null) {
            sql.append(" WHERE e.STATUS = ?");
            args.add(status.name());
        }
        sql.append(" ORDER BY e.JOB_EXECUTION_ID DESC");
        List<Long> ids = jdbc.queryForList(sql.toString(), Long.class, args.toArray());
        return ids.stream().limit(Math.max(1, limit)).map(jobRepository::getJobExecution)
                .filter(e -> e != null).map(this::summary).toList();
    }

    /** The whole story of one execution, if it exists. */
    public Optional<ExecutionDetail> show(long executionId) {
        JobExecution execution = RunIndex.findExecution(jobRepository, executionId).orElse(null);
        if (execution == null) {
            return Optional.empty();
        }
        Map<String, String> parameters = new TreeMap<>();
        for (JobParameter<?> parameter : execution.getJobParameters()) {
            parameters.put(parameter.name(), Redactor.scrub(String.valueOf(parameter.value())));
        }
        Map<String, String> context = new TreeMap<>();
        execution.getExecutionContext().entrySet()
                .forEach(e -> context.put(e.getKey(), Redactor.scrub(String.valueOf(e.getValue()))));
        List<StepSummary> steps = execution.getStepExecutions().stream()
                .sorted(Comparator.comparing(StepExecution::getId))
                .map(s -> new StepSummary(s.getStepName(), s.getStatus(), s.getExitStatus().getExitCode(),
                        s.getStartTime(), s.getEndTime(), s.getReadCount(), s.getWriteCount(),
                        firstLine(s.getExitStatus().getExitDescription())))
                .toList();
        String owner = owners.owner(executionId)
                .map(o -> o + (owners.isAlive(o) ? "" : ": gone; 'restart " + executionId + "' takes it over")).orElse(null);
        return Optional.of(new ExecutionDetail(summary(execution), parameters, context, steps, owner));
    }

    private ExecutionSummary summary(JobExecution execution) {
        Map<String, String> inputs = new LinkedHashMap<>();
        for (JobParameter<?> parameter : execution.getJobParameters()) {
            if (parameter.name().startsWith(RunKeys.INPUT_PREFIX) && parameter.name().endsWith(RunKeys.PATH)) {
                inputs.put(parameter.name(), String.valueOf(parameter.value()));
            }
        }
        String error = execution.getStepExecutions().stream()
                .filter(s -> s.getStatus() == BatchStatus.FAILED || s.getStatus() == BatchStatus.STOPPED)
                .map(s -> firstLine(s.getExitStatus().getExitDescription()))
                .filter(d -> d != null && !d.isBlank()).findFirst()
                .orElse(firstLine(execution.getExitStatus().getExitDescription()));
        return new ExecutionSummary(execution.getId(), execution.getJobInstance().getInstanceId(),
                execution.getJobParameters().getString(RunKeys.DEFINITION), String.join(", ", inputs.values()),
                execution.getStatus(), execution.getExitStatus().getExitCode(), execution.getStartTime(),
                execution.getEndTime(), execution.getExecutionContext().getString(RunKeys.BES_JOB_ID, null),
                error == null || error.isBlank() ? null : error);
    }

    /** The exception line of a stored exit description (Spring Batch stores stack traces there). */
    static String firstLine(String description) {
        if (description == null || description.isBlank()) {
            return null;
        }
        String line = description.lines().findFirst().orElse("").strip();
        // "org.example.SomeException: the message" -> "the message"
        int colon = line.indexOf(": ");
        if (colon > 0 && line.substring(0, colon).matches("[\\w.$]+(Exception|Error)")) {
            line = line.substring(colon + 2);
        }
        return Redactor.scrub(line);
    }
}
