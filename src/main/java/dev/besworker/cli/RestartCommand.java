package dev.besworker.cli;

import java.io.IOException;

import picocli.CommandLine.Command;

import dev.besworker.runs.ScoringRuns;

/** {@code restart}: resumes a failed or stopped execution where it stopped. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = { "Restarts a failed or stopped execution from the step where it stopped.",
                "An execution left running by a dead process is recovered first; one whose process lives is refused (exit 4)." })
class RestartCommand extends ExecutionCommand {

    @Override
    protected int execute(WorkerSession session) throws IOException {
        session.describeAs("restart " + executionId);
        ScoringRuns runs = session.bean(ScoringRuns.class);
        session.startEmbeddedFor(runs.definitionOf(executionId));
        return Outcomes.print(runs.restart(executionId), out, this::command);
    }
}
