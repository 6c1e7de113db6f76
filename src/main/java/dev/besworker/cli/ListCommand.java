package dev.besworker.cli;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.springframework.batch.core.BatchStatus;

import dev.besworker.definition.Units;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;

/** {@code list}: the newest executions. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists executions, newest first.")
class ListCommand extends WorkerCommand {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Option(names = "--definition", paramLabel = "NAME", description = "Only this definition's executions.")
    String definition;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only executions in this status: ${COMPLETION-CANDIDATES}.")
    BatchStatus status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N executions (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "JSON for scripts, with every execution's facts.")
    boolean json;

    @Override
    protected int execute() throws IOException {
        try (WorkerSession session = WorkerSession.open(global)) {
            ExecutionReports reports = session.bean(ExecutionReports.class);
            List<ExecutionSummary> executions = reports.list(definition, status, limit);
            if (json) {
                // The same facts as show --json, each step's start and end included.
                out.println(Json.write(executions.stream().map(e -> reports.show(e.executionId()))
                        .flatMap(java.util.Optional::stream).toList()));
                return ExitCodes.COMPLETED;
            }
            if (executions.isEmpty()) {
                out.println("no executions" + (definition != null || status != null ? " match" : " yet"));
                return ExitCodes.COMPLETED;
            }
            out.printf("%-6s %-10s %-20s %-19s %-10s %-34s %s%n", "ID", "STATUS", "DEFINITION", "STARTED", "TOOK",
                    "BES JOB", "INPUT / ERROR");
            for (ExecutionSummary e : executions) {
                out.printf("%-6d %-10s %-20s %-19s %-10s %-34s %s%n", e.executionId(), e.status(), e.definition(),
                        time(e.startTime()), took(e.startTime(), e.endTime()), e.besJobId() == null ? "-" : e.besJobId(),
                        e.error() != null ? e.error() : e.input());
            }
            return ExitCodes.COMPLETED;
        }
    }

    static String time(LocalDateTime time) {
        return time == null ? "-" : TIME.format(time);
    }

    static String took(LocalDateTime start, LocalDateTime end) {
        if (start == null || end == null) {
            return "-";
        }
        return Units.format(Duration.between(start, end).truncatedTo(ChronoUnit.SECONDS));
    }
}
