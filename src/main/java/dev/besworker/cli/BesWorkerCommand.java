package dev.besworker.cli;

import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/**
 * The top-level command and its global options. Its commands are {@link #COMMANDS}, added by
 * {@code BesWorkerApplication} rather than named in {@code @Command(subcommands = ...)}: picocli
 * builds the model of every command named there, reflectively, before it parses anything, and a
 * one-shot command needs only its own.
 */
@Command(name = "bes-worker", mixinStandardHelpOptions = true, versionProvider = BesWorkerCommand.Version.class,
        description = "Runs Azure ML Studio (classic) Batch Execution Service jobs unattended, restartably.",
        footer = { "", "Exit codes: 0 completed, 1 failed or stopped (restartable), 2 usage or configuration error,",
                "3 input rejected, 4 the execution belongs to a live worker." })
public class BesWorkerCommand {

    /** The worker's commands, in the order the help lists them. */
    public static final List<Class<?>> COMMANDS = List.of(RunCommand.class, RestartCommand.class, StopCommand.class,
            AbandonCommand.class, ListCommand.class, ShowCommand.class, WorkersCommand.class, DefinitionsCommand.class,
            CheckCommand.class, ServeCommand.class, PurgeCommand.class, HashPasswordCommand.class);

    @Option(names = "--jobs-dir", description = "Folder of job definitions (default: ${DEFAULT-VALUE}).",
            defaultValue = "jobs", scope = picocli.CommandLine.ScopeType.INHERIT)
    Path jobsDir;

    @Option(names = "--data-dir", description = "Folder of the job repository, logs and embedded storage "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "data", scope = picocli.CommandLine.ScopeType.INHERIT)
    Path dataDir;

    /** The global options as the user gave them, to repeat in commands printed for the user. */
    String globalArguments() {
        StringBuilder args = new StringBuilder();
        if (!jobsDir.equals(Path.of("jobs"))) {
            args.append(" --jobs-dir ").append(Shell.quote(jobsDir.toString()));
        }
        if (!dataDir.equals(Path.of("data"))) {
            args.append(" --data-dir ").append(Shell.quote(dataDir.toString()));
        }
        return args.toString();
    }

    /** Reads the version from the jar's manifest. */
    static class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BesWorkerCommand.class.getPackage().getImplementationVersion();
            return new String[] { "bes-worker " + (version == null ? "(development build)" : version) };
        }
    }
}
