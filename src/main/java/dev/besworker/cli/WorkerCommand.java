package dev.besworker.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ParentCommand;

import dev.besworker.definition.DefinitionException;
import dev.besworker.secrets.Redactor;

/**
 * What the commands share: the global options, the session, and turning any failure into one
 * clear line on stderr and the documented exit code instead of a stack trace.
 */
abstract class WorkerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    @ParentCommand
    BesWorkerCommand global;

    /** stdout: results and json only, so that scripts can read it. */
    protected final PrintStream out = System.out;

    @Override
    public final Integer call() {
        try {
            return execute();
        }
        catch (DefinitionException ex) {
            ex.problems().forEach(problem -> System.err.println("error: " + Redactor.scrub(problem)));
            return ExitCodes.CONFIGURATION;
        }
        catch (RuntimeException | java.io.IOException ex) {
            log.debug("command failed", ex);
            System.err.println("error: " + Redactor.scrub(dev.besworker.pipeline.RunLogListener.reason(ex)));
            return ExitCodes.of(ex);
        }
    }

    protected abstract int execute() throws java.io.IOException;

    /** The command a user types to do {@code what} with the same global options. */
    protected String command(String what) {
        return Shell.self() + global.globalArguments() + " " + what;
    }
}
