package dev.besworker.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;

import dev.besworker.intake.InboxProcessor.Outcome;
import dev.besworker.intake.InboxProcessor.Result;
import dev.besworker.notify.WebhookNotifier;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.ScoringEnvironment;

/**
 * The Micrometer meters of {@code serve} (under {@code /actuator/metrics}):
 * <ul>
 * <li>{@code besworker.runs} (definition, status): executions ended, by batch status;</li>
 * <li>{@code besworker.run.duration} and {@code besworker.step.duration} (definition, step,
 *     status): how long executions and each of their steps took;</li>
 * <li>{@code besworker.bytes} (definition, direction=upload|download): input bytes staged and
 *     result bytes saved;</li>
 * <li>{@code besworker.polls} (definition): BES status polls;</li>
 * <li>{@code besworker.bes.retries} (definition): BES calls retried after a transient failure;</li>
 * <li>{@code besworker.inbox.files} (definition, outcome): inbox files by where they ended;</li>
 * <li>{@code besworker.queue.depth}, {@code besworker.runs.active}: files waiting for a slot, and
 *     running;</li>
 * <li>{@code besworker.schedule.firings} (definition, trigger=cron|catch_up);</li>
 * <li>{@code besworker.webhook.deliveries} (result=delivered|failed).</li>
 * </ul>
 */
public final class ServeMetrics implements JobExecutionListener {

    private final MeterRegistry registry;

    public ServeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Gauges of the run queue. */
    public void bind(RunDispatcher dispatcher) {
        Gauge.builder("besworker.queue.depth", dispatcher, RunDispatcher::queued)
                .description("Inbox files waiting for a run slot").register(registry);
        Gauge.builder("besworker.runs.active", dispatcher, RunDispatcher::running)
                .description("Inbox files being scored now").register(registry);
    }

    /** Counters of webhook deliveries. */
    public void bind(WebhookNotifier notifier) {
        FunctionCounter.builder("besworker.webhook.deliveries", notifier, WebhookNotifier::delivered)
                .tag("result", "delivered").register(registry);
        FunctionCounter.builder("besworker.webhook.deliveries", notifier, WebhookNotifier::failed)
                .tag("result", "failed").register(registry);
    }

    /** Counts the retries of the BES clients the runs open. */
    public void bind(ScoringEnvironment environment) {
        environment.onBesRetry(definition -> Counter.builder("besworker.bes.retries").tag("definition", definition)
                .description("BES calls retried after a transient failure").register(registry).increment());
    }

    /** Counts an inbox file's outcome. */
    public void inboxFile(Result result) {
        if (result.outcome() == Outcome.NOT_CLAIMED || result.outcome() == Outcome.DEFERRED) {
            return;
        }
        Counter.builder("besworker.inbox.files").tag("definition", result.work().definition())
                .tag("outcome", result.outcome().name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    /** Counts a schedule firing. */
    public void firing(ScheduleRunner.Firing firing) {
        Counter.builder("besworker.schedule.firings").tag("definition", firing.definition())
                .tag("trigger", firing.trigger().name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    @Override
    public void afterJob(JobExecution execution) {
        String definition = String.valueOf(execution.getJobParameters().getString(RunKeys.DEFINITION));
        String status = execution.getStatus().name();
        Counter.builder("besworker.runs").tag("definition", definition).tag("status", status).register(registry)
                .increment();
        time("besworker.run.duration", execution.getStartTime(), execution.getEndTime(),
                () -> Timer.builder("besworker.run.duration").tag("definition", definition).tag("status", status));
        for (StepExecution step : execution.getStepExecutions()) {
            time("besworker.step.duration", step.getStartTime(), step.getEndTime(),
                    () -> Timer.builder("besworker.step.duration").tag("definition", definition)
                            .tag("step", step.getStepName()).tag("status", step.getStatus().name()));
            boolean completed = step.getStatus() == BatchStatus.COMPLETED;
            switch (step.getStepName()) {
                case "upload" -> {
                    if (completed) {
                        bytes(definition, "upload", inputBytes(execution));
                    }
                }
                case "download" -> {
                    if (completed) {
                        bytes(definition, "download", outputBytes(execution));
                    }
                }
                case "await" -> Counter.builder("besworker.polls").tag("definition", definition).register(registry)
                        .increment(step.getReadCount());
                default -> {
                }
            }
        }
    }

    private void time(String name, java.time.LocalDateTime start, java.time.LocalDateTime end,
            Supplier<Timer.Builder> builder) {
        if (start != null && end != null) {
            builder.get().register(registry).record(Duration.between(start, end));
        }
    }

    private void bytes(String definition, String direction, long bytes) {
        Counter.builder("besworker.bytes").baseUnit("bytes").tag("definition", definition).tag("direction", direction)
                .register(registry).increment(bytes);
    }

    private static long inputBytes(JobExecution execution) {
        long bytes = 0;
        for (JobParameter<?> parameter : execution.getJobParameters()) {
            if (parameter.name().startsWith(RunKeys.INPUT_PREFIX) && parameter.name().endsWith(RunKeys.BYTES)
                    && parameter.value() instanceof Number number) {
                bytes += number.longValue();
            }
        }
        return bytes;
    }

    private static long outputBytes(JobExecution execution) {
        long bytes = 0;
        for (var entry : execution.getExecutionContext().entrySet()) {
            if (entry.getKey().startsWith(RunKeys.DOWNLOADED)) {
                try {
                    bytes += Files.size(Path.of(String.valueOf(entry.getValue())));
                }
                catch (IOException ex) {
                    // moved or deleted since: not counted
                }
            }
        }
        return bytes;
    }
}
