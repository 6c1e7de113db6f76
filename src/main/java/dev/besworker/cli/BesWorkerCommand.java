package dev.besworker.cli;

import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/** The top-level command and its global options. */
@Command(name = "bes-worker", mixinStandardHelpOptions = true, versionProvider = BesWorkerCommand.Version.class,
        description = "Runs Azure ML Studio (classic) Batch Execution Service jobs unattended, restartably.",
        subcommands = { RunCommand.class, RestartCommand.class, StopCommand.class, AbandonCommand.class,
                ListCommand.class, ShowCommand.class, WorkersCommand.class, DefinitionsCommand.class, CheckCommand.class, ServeCommand.class,
                PurgeCommand.class, HashPasswordCommand.class },
        footer = { "", "Exit codes: 0 completed, 1 failed or stopped (restartable), 2 usage or configuration error,",
                "3 input rejected, 4 the execution belongs to a live worker." })
public class BesWorkerCommand {

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
