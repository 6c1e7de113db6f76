package dev.besworker.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.springframework.context.ConfigurableApplicationContext;

import dev.besworker.WorkerContext;
import dev.besworker.WorkerProperties;
import dev.besworker.cluster.WorkerLease;
import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;
import dev.besworker.embedded.EmbeddedServices;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.ops.StopSignals;
import dev.besworker.pipeline.LocalServices;
import dev.besworker.pipeline.ScoringEnvironment;

/**
 * One command's worker: the Spring context with its job repository, and, for a definition
 * that asks for them, the embedded Azurite and emulator. Closing it stops the embedded services
 * first and the job repository last.
 */
final class WorkerSession implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private EmbeddedServices.Starting starting;
    private EmbeddedServices embedded;

    private WorkerSession(ConfigurableApplicationContext context, EmbeddedServices.Starting starting) {
        this.context = context;
        this.starting = starting;
    }

    static WorkerSession open(BesWorkerCommand global) {
        return open(global, null);
    }

    /**
     * Opens the session; when the definition named {@code embeddedFor} asks for embedded
     * services, Azurite starts beside the Spring context (it takes about as long to load),
     * ready for {@link #startEmbeddedFor(String)}.
     */
    static WorkerSession open(BesWorkerCommand global, String embeddedFor) {
        Path dataDir = global.dataDir.toAbsolutePath().normalize();
        EmbeddedServices.Starting starting = embeddedFor != null && isEmbedded(global.jobsDir, embeddedFor)
                ? EmbeddedServices.begin(dataDir) : null;
        ConfigurableApplicationContext context;
        try {
            context = WorkerContext.command(dataDir, global.jobsDir);
        }
        catch (RuntimeException | Error ex) {
            if (starting != null) {
                starting.close();
            }
            throw ex;
        }
        WorkerSession session = new WorkerSession(context, starting);
        StopSignals.install(context.getBean(ExecutionOwners.class), context.getBean(WorkerProperties.class).stopTimeout());
        return session;
    }

    private static boolean isEmbedded(Path jobsDir, String definitionName) {
        try {
            return DefinitionLoader.forProcess().load(jobsDir, definitionName).isEmbedded();
        }
        catch (RuntimeException invalid) {
            return false; // the command reports it once the context is up
        }
    }

    /** What {@code workers} shows as this process's command, should it run or claim work. */
    void describeAs(String command) {
        context.getBean(WorkerLease.class).describeAs(command);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Loads a definition as written (embedded values not yet replaced). */
    static JobDefinition loadDefinition(BesWorkerCommand global, String name) {
        return DefinitionLoader.forProcess().load(global.jobsDir, name);
    }

    /** Starts Azurite and the emulator if the definition says {@code embedded}. */
    void startEmbeddedFor(String definitionName) throws IOException {
        ScoringEnvironment environment = bean(ScoringEnvironment.class);
        JobDefinition definition = bean(DefinitionLoader.class).load(environment.jobsDir(), definitionName);
        if (definition.isEmbedded() && embedded == null) {
            if (starting == null) {
                starting = EmbeddedServices.begin(bean(WorkerProperties.class).dataDir());
            }
            embedded = starting.await();
            environment.useLocalServices(new LocalServices(embedded.besEndpoint(), embedded.apiKey(),
                    embedded.connectionString()));
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
        else if (starting != null) {
            starting.close();
        }
        bean(ExecutionOwners.class).close();
        context.close();
    }
}
