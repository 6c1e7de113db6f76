package dev.besworker.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import dev.besworker.pipeline.RunLogListener;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns;

/** Prints how a run ended, and what to type next. */
final class Outcomes {

    private Outcomes() {
    }

    static int print(RunOutcome outcome, PrintStream out, UnaryOperator<String> command) {
        if (outcome.completed()) {
            out.println("execution " + outcome.executionId() + " COMPLETED"
                    + (outcome.earlier() ? " earlier; this input was already scored (use --force to score it again)" : ""));
            for (Path output : outcome.outputs()) {
                out.println("output: " + output);
            }
            return ExitCodes.COMPLETED;
        }
        out.println("execution " + outcome.executionId() + " " + outcome.status());
        if (outcome.failure() != null) {
            out.println("reason: " + RunLogListener.reason(outcome.failure()));
        }
        out.println("restart with: " + command.apply("restart " + outcome.executionId()));
        return outcome.failure() == null ? ExitCodes.FAILED : ExitCodes.of(outcome.failure()) == ExitCodes.CONFIGURATION
                ? ExitCodes.CONFIGURATION : ExitCodes.FAILED;
    }
}
