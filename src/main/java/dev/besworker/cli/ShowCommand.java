package dev.besworker.cli;

import java.io.IOException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.ExecutionReports.ExecutionDetail;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;
import dev.besworker.ops.ExecutionReports.StepSummary;
import dev.besworker.pipeline.RunIndex;

/** {@code show}: one execution's steps, timings, remote ids, blobs and error. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Shows an execution: steps, statuses, timings, BES job id, blob names, outputs, error.")
class ShowCommand extends ExecutionCommand {

    @Option(names = "--json", description = "JSON for scripts.")
    boolean json;

    @Override
    protected int execute(WorkerSession session) throws IOException {
        ExecutionDetail detail = session.bean(ExecutionReports.class).show(executionId)
                .orElseThrow(() -> RunIndex.noSuchExecution(executionId));
        if (json) {
            out.println(Json.write(detail));
            return ExitCodes.COMPLETED;
        }
        ExecutionSummary s = detail.summary();
        out.println("execution " + s.executionId() + " (instance " + s.instanceId() + "): " + s.status()
                + " [" + s.exitCode() + "]");
        out.println("  definition: " + s.definition());
        out.println("  input:      " + s.input());
        out.println("  started:    " + ListCommand.time(s.startTime()) + "   ended: " + ListCommand.time(s.endTime())
                + "   took: " + ListCommand.took(s.startTime(), s.endTime()));
        out.println("  BES job:    " + (s.besJobId() == null ? "-" : s.besJobId()));
        if (detail.owner() != null) {
            out.println("  owner:      " + detail.owner());
        }
        if (s.error() != null) {
            out.println("  error:      " + s.error());
        }
        out.println("  steps:");
        for (StepSummary step : detail.steps()) {
            out.printf("    %-9s %-10s %-19s %-8s%s%n", step.name(), step.status(), ListCommand.time(step.startTime()),
                    ListCommand.took(step.startTime(), step.endTime()), step.error() == null ? "" : "  " + step.error());
        }
        out.println("  state:");
        detail.context().forEach((key, value) -> out.println("    " + key + " = " + value));
        out.println("  parameters:");
        detail.parameters().forEach((key, value) -> out.println("    " + key + " = " + value));
        if (s.status().isRunning() || s.status().name().equals("FAILED") || s.status().name().equals("STOPPED")) {
            out.println("restart with: " + command("restart " + executionId));
        }
        return ExitCodes.COMPLETED;
    }
}
