package dev.besworker.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.scheduling.support.CronExpression;

import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.ExecutionReports.ExecutionDetail;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.secrets.Redactor;
import dev.besworker.serve.ServeDefinitions;

/**
 * What the pages and the API show, assembled from the job repository, the captured run logs,
 * the audit and the inboxes: one place, so that the page and the JSON never disagree.
 */
public class ConsoleViews {

    /** A row of the runs page. */
    public record RunRow(ExecutionSummary summary, Duration duration) {

        public String statusClass() {
            return summary.status().name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The input files' names (the page shows the full paths on hover and on the run's page). */
        public String inputNames() {
            if (summary.input() == null || summary.input().isBlank()) {
                return "";
            }
            return java.util.Arrays.stream(summary.input().split(", "))
                    .map(path -> path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1))
                    .collect(java.util.stream.Collectors.joining(", "));
        }
    }

    /** One page of runs. */
    public record RunsPage(ExecutionSearch.Page page, List<RunRow> runs) {

        public boolean anyRunning() {
            return runs.stream().anyMatch(r -> r.summary().status().isRunning());
        }
    }

    /** A step on the timeline: where its bar starts and how wide it is, in percent of the run. */
    public record TimelineStep(String name, BatchStatus status, LocalDateTime start, LocalDateTime end,
            Duration duration, double x, double width, String statusClass) {
    }

    /** A BES status change from the run's log. */
    public record StatusChange(String at, String from, String to, String after) {
    }

    /** Bytes moved by a step. */
    public record Transfer(String what, String name, long bytes, Duration took, String rate) {
    }

    /** The run's page. */
    public record RunPage(ExecutionDetail detail, RunRow row, List<TimelineStep> timeline, Duration span,
            List<StatusChange> besChanges, List<Transfer> transfers, Map<String, String> blobs,
            List<String> outputs, String fullError, List<RunLogCapture.Line> log, List<ActionAudit.Entry> audit,
            List<ExecutionSummary> attempts, String whyNotRestart, String whyNotStop, String whyNotAbandon) {
    }

    /** A point of a definition's chart of recent runs. */
    public record ChartBar(long executionId, double seconds, String statusClass, double height, double x) {
    }

    /** A definition as the definitions page shows it. */
    public record DefinitionView(String name, boolean valid, List<String> problems, String endpoint, String inbox,
            int waiting, int processing, int failed, String schedule, String nextFiring, List<ChartBar> recent) {
    }

    private static final Pattern BES_CHANGE = Pattern.compile("BES job \\S+: (\\w+) -> (\\w+) after (\\S+)");

    private final ExecutionSearch search;
    private final ExecutionReports reports;
    private final JobRepository jobRepository;
    private final RunLogCapture runLog;
    private final ActionAudit audit;
    private final ConsoleActions actions;
    private final InboxFiles inboxFiles;
    private final ServeDefinitions definitions;

    public ConsoleViews(ExecutionSearch search, ExecutionReports reports, JobRepository jobRepository,
            RunLogCapture runLog, ActionAudit audit, ConsoleActions actions, InboxFiles inboxFiles,
            ServeDefinitions definitions) {
        this.search = search;
        this.reports = reports;
        this.jobRepository = jobRepository;
        this.runLog = runLog;
        this.audit = audit;
        this.actions = actions;
        this.inboxFiles = inboxFiles;
        this.definitions = definitions;
    }

    /** An execution id from a path, or a 400. */
    public static long executionId(String text) {
        try {
            long id = Long.parseLong(text.strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        }
        catch (NumberFormatException | NullPointerException ex) {
            throw ApiException.badRequest("'" + text + "' is not an execution id (a whole number)");
        }
    }

    public RunsPage runs(ExecutionSearch.Query query) {
        ExecutionSearch.Page page = search.find(query);
        List<RunRow> rows = new ArrayList<>();
        for (long id : page.ids()) {
            reports.show(id).ifPresent(detail -> rows.add(row(detail.summary())));
        }
        return new RunsPage(page, rows);
    }

    public RunPage run(long executionId) {
        ExecutionDetail detail = reports.show(executionId)
                .orElseThrow(() -> ApiException.notFound("there is no execution " + executionId));
        JobExecution execution = actions.find(executionId);
        List<StepExecution> steps = execution.getStepExecutions().stream()
                .sorted(Comparator.comparing(StepExecution::getId)).toList();
        LocalDateTime start = execution.getStartTime() != null ? execution.getStartTime() : execution.getCreateTime();
        LocalDateTime end = execution.getEndTime() != null ? execution.getEndTime() : LocalDateTime.now();
        Duration span = start == null ? Duration.ZERO : Duration.between(start, end);
        double total = Math.max(1, span.toMillis());
        List<TimelineStep> timeline = new ArrayList<>();
        for (StepExecution step : steps) {
            LocalDateTime from = step.getStartTime() != null ? step.getStartTime() : start;
            LocalDateTime to = step.getEndTime() != null ? step.getEndTime() : end;
            double x = start == null || from == null ? 0 : Duration.between(start, from).toMillis() * 100.0 / total;
            double width = from == null || to == null ? 0 : Duration.between(from, to).toMillis() * 100.0 / total;
            timeline.add(new TimelineStep(step.getStepName(), step.getStatus(), step.getStartTime(), step.getEndTime(),
                    from == null || to == null ? Duration.ZERO : Duration.between(from, to), clamp(x),
                    Math.max(0.4, Math.min(width, 100 - clamp(x))), step.getStatus().name().toLowerCase()));
        }
        runLog.flush();
        List<RunLogCapture.Line> lines = runLog.lines(executionId, 2000);
        List<StatusChange> changes = new ArrayList<>();
        for (RunLogCapture.Line line : lines) {
            Matcher m = BES_CHANGE.matcher(line.message());
            if (m.find()) {
                changes.add(new StatusChange(line.at().toString(), m.group(1), m.group(2), m.group(3)));
            }
        }
        Map<String, String> context = detail.context();
        Map<String, String> blobs = new java.util.TreeMap<>();
        List<String> outputs = new ArrayList<>();
        context.forEach((key, value) -> {
            if (key.startsWith(RunKeys.STAGING_BLOB) || key.startsWith(RunKeys.STAGING_OUTPUT)) {
                blobs.put(key, value);
            }
            if (key.startsWith(RunKeys.DOWNLOADED)) {
                outputs.add(value);
            }
        });
        return new RunPage(detail, row(detail.summary()), timeline, span, changes, transfers(execution, steps, outputs),
                blobs, outputs, fullError(execution, steps), lines, audit.forExecution(executionId),
                attempts(execution), actions.whyNotRestart(execution), actions.whyNotStop(execution),
                actions.whyNotAbandon(execution));
    }

    public List<DefinitionView> definitions() {
        List<DefinitionView> views = new ArrayList<>();
        for (JobDefinition definition : definitions.valid()) {
            InboxFiles.InboxContents files = inboxFiles.files(definition.name());
            String schedule = definition.schedule() == null ? null : definition.schedule().cron();
            views.add(new DefinitionView(definition.name(), true, List.of(), Redactor.scrub(definition.bes().endpoint()),
                    files.dir() == null ? null : files.dir().toString(), files.waiting().size(),
                    files.processing().size(), files.failed().size(), schedule, nextFiring(definition),
                    chart(definition.name())));
        }
        for (DefinitionLoader.Entry entry : definitions.invalid()) {
            views.add(new DefinitionView(entry.name(), false,
                    entry.problems().stream().map(Redactor::scrub).toList(), null, null, 0, 0, 0, null, null,
                    List.of()));
        }
        views.sort(Comparator.comparing(DefinitionView::name));
        return views;
    }

    private RunRow row(ExecutionSummary summary) {
        Duration duration = summary.startTime() == null ? null
                : Duration.between(summary.startTime(), summary.endTime() != null ? summary.endTime()
                        : LocalDateTime.now());
        return new RunRow(summary, duration);
    }

    /** Other executions of the same job instance (earlier tries and restarts), newest first. */
    private List<ExecutionSummary> attempts(JobExecution execution) {
        List<ExecutionSummary> all = new ArrayList<>();
        for (JobExecution other : jobRepository.getJobExecutions(execution.getJobInstance())) {
            if (other.getId() != execution.getId()) {
                reports.show(other.getId()).ifPresent(d -> all.add(d.summary()));
            }
        }
        all.sort(Comparator.comparing(ExecutionSummary::executionId).reversed());
        return all;
    }

    private static List<Transfer> transfers(JobExecution execution, List<StepExecution> steps, List<String> outputs) {
        List<Transfer> transfers = new ArrayList<>();
        Duration upload = stepDuration(steps, "upload");
        for (org.springframework.batch.core.job.parameters.JobParameter<?> parameter : execution.getJobParameters()) {
            String key = parameter.name();
            if (key.startsWith(RunKeys.INPUT_PREFIX) && key.endsWith(RunKeys.BYTES)) {
                long bytes = Long.parseLong(String.valueOf(parameter.value()));
                String name = key.substring(RunKeys.INPUT_PREFIX.length(), key.length() - RunKeys.BYTES.length());
                transfers.add(new Transfer("upload", name, bytes, upload, rate(bytes, upload)));
            }
        }
        Duration download = stepDuration(steps, "download");
        for (String output : outputs) {
            try {
                long bytes = Files.size(Path.of(output));
                transfers.add(new Transfer("download", Path.of(output).getFileName().toString(), bytes, download,
                        rate(bytes, download)));
            }
            catch (IOException | RuntimeException ex) {
                // moved or deleted since: nothing to say about it
            }
        }
        return transfers;
    }

    private static Duration stepDuration(List<StepExecution> steps, String namePart) {
        return steps.stream().filter(s -> s.getStepName().toLowerCase().contains(namePart))
                .filter(s -> s.getStartTime() != null && s.getEndTime() != null)
                .map(s -> Duration.between(s.getStartTime(), s.getEndTime())).reduce(Duration::plus).orElse(null);
    }

    private static String rate(long bytes, Duration took) {
        if (took == null || took.toMillis() <= 0) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "%.1f MB/s", bytes / 1_000_000.0 / (took.toMillis() / 1000.0));
    }

    /** The whole error of the step that failed (the service's Details included), without the stack trace. */
    private static String fullError(JobExecution execution, List<StepExecution> steps) {
        String description = steps.stream()
                .filter(s -> s.getStatus() == BatchStatus.FAILED || s.getStatus() == BatchStatus.STOPPED)
                .map(s -> s.getExitStatus().getExitDescription()).filter(d -> d != null && !d.isBlank()).findFirst()
                .orElse(execution.getExitStatus().getExitDescription());
        if (description == null || description.isBlank()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (String line : description.lines().toList()) {
            String stripped = line.strip();
            if (stripped.startsWith("at ") || stripped.startsWith("... ") || stripped.startsWith("Suppressed:")) {
                continue;
            }
            text.append(stripped.startsWith("Caused by: ") ? "\n" : "").append(line).append('\n');
        }
        return Redactor.scrub(text.toString().strip());
    }

    private static String nextFiring(JobDefinition definition) {
        if (definition.schedule() == null) {
            return null;
        }
        try {
            ZoneId zone = definition.schedule().zone() != null ? definition.schedule().zone() : ZoneId.systemDefault();
            ZonedDateTime next = CronExpression.parse(definition.schedule().cron()).next(ZonedDateTime.now(zone));
            return next == null ? null : next.withNano(0).toString();
        }
        catch (IllegalArgumentException ex) {
            return "(" + ex.getMessage() + ")";
        }
    }

    /** The last 20 runs of a definition, as bars of a chart (height by duration, colour by outcome). */
    private List<ChartBar> chart(String definition) {
        ExecutionSearch.Page page = search.find(new ExecutionSearch.Query(definition, null, null, null, null, 0, 20));
        List<ExecutionSummary> runs = new ArrayList<>();
        for (long id : page.ids()) {
            reports.show(id).map(ExecutionDetail::summary).ifPresent(runs::add);
        }
        java.util.Collections.reverse(runs);
        double longest = runs.stream().mapToDouble(ConsoleViews::seconds).max().orElse(1);
        List<ChartBar> bars = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            ExecutionSummary run = runs.get(i);
            double seconds = seconds(run);
            bars.add(new ChartBar(run.executionId(), seconds, run.status().name().toLowerCase(),
                    Math.max(2, 40 * seconds / Math.max(longest, 0.001)), i * 12));
        }
        return bars;
    }

    private static double seconds(ExecutionSummary run) {
        if (run.startTime() == null) {
            return 0;
        }
        LocalDateTime end = run.endTime() != null ? run.endTime() : LocalDateTime.now();
        return Duration.between(run.startTime(), end).toMillis() / 1000.0;
    }

    private static double clamp(double percent) {
        return Math.max(0, Math.min(100, percent));
    }

    static Optional<String> nonBlank(String text) {
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
    }
}
