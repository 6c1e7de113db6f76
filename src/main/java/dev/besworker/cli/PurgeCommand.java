package dev.besworker.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;
import dev.besworker.intake.Inbox;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.serve.Retention;
import dev.besworker.serve.ServeDefinitions;
import dev.besworker.serve.ServeLock;

/** {@code purge}: removes old executions, their staging blobs, and old files in the inboxes' done/ folders. */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = { "Removes what is older than AGE: executions whose runs all ended before it (from the job",
                "repository), the staging blobs they left, and files in the inboxes' done/ folders. Never touches",
                "anything younger, unfinished executions, result files, or the failed/ folders." })
class PurgeCommand extends WorkerCommand {

    @Option(names = "--older-than", required = true, paramLabel = "AGE", converter = DurationConverter.class,
            description = "Age limit, e.g. 90d, 12h, 1d12h or PT36H.")
    Duration age;

    @Option(names = "--dry-run", description = "Only count what would be removed.")
    boolean dryRun;

    @Override
    protected int execute() throws IOException {
        Path dataDir = global.dataDir.toAbsolutePath().normalize();
        ServeLock lock = null;
        try {
            lock = ServeLock.acquire(dataDir);
        }
        catch (ServeLock.HeldException ex) {
            // serve runs the embedded Azurite of this folder; a second one must not open its data.
            System.err.println("note: serve runs for this data folder (" + ex.holder() + "); staging blobs in its"
                    + " embedded storage are left for its own daily purge");
        }
        try (WorkerSession session = WorkerSession.open(global)) {
            ScoringEnvironment environment = session.bean(ScoringEnvironment.class);
            ServeDefinitions definitions = ServeDefinitions.load(session.bean(DefinitionLoader.class), environment.jobsDir());
            List<Path> doneFolders = definitions.valid().stream().filter(d -> d.inbox() != null)
                    .map(d -> new Inbox(d.name(), d.inbox().dir()).done()).toList();
            Retention retention = new Retention(session.bean(JdbcTemplate.class), session.bean(JobRepository.class),
                    environment, Clock.systemUTC());
            Retention.Report count = retention.purge(age, doneFolders, true);
            if (!dryRun && lock != null && count.blobs() > 0) {
                for (JobDefinition definition : definitions.valid()) {
                    if (definition.isEmbedded()) {
                        session.startEmbeddedFor(definition.name());
                        break;
                    }
                }
            }
            Retention.Report report = dryRun ? count : retention.purge(age, doneFolders, false);
            out.println(report.summary());
            report.kept().forEach(line -> System.err.println("kept: " + line));
            return report.kept().isEmpty() ? ExitCodes.COMPLETED : ExitCodes.FAILED;
        }
        finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
