package dev.besworker.cli;

import java.io.IOException;

import picocli.CommandLine.Parameters;

/** A command about one execution, named by its id: {@code stop}, {@code abandon}, {@code restart}, {@code show}. */
abstract class ExecutionCommand extends WorkerCommand {

    @Parameters(index = "0", paramLabel = "EXECUTION-ID")
    long executionId;

    @Override
    protected final int execute() throws IOException {
        try (WorkerSession session = WorkerSession.open(global)) {
            return execute(session);
        }
    }

    /** Does the command's work with the session open. */
    protected abstract int execute(WorkerSession session) throws IOException;
}
