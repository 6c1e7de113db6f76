package dev.besworker.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import dev.besworker.WorkerApplication;
import dev.besworker.WorkerProperties;
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
    private EmbeddedServices embedded;

    private WorkerSession(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static WorkerSession open(BesWorkerCommand global) {
        SpringApplication application = new SpringApplication(WorkerApplication.class);
        application.setBannerMode(Banner.Mode.OFF);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setLogStartupInfo(false);
        // Signals are ours (StopSignals): Spring's hook would close the repository under a running job.
        application.setRegisterShutdownHook(false);
        Path dataDir = global.dataDir.toAbsolutePath().normalize();
        ConfigurableApplicationContext context = application.run(
                "--besworker.data-dir=" + dataDir,
                "--besworker.jobs-dir=" + global.jobsDir.toAbsolutePath().normalize());
        WorkerSession session = new WorkerSession(context);
        StopSignals.install(context.getBean(ExecutionOwners.class), context.getBean(WorkerProperties.class).stopTimeout());
        return session;
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
            embedded = EmbeddedServices.start(bean(WorkerProperties.class).dataDir());
            environment.useLocalServices(new LocalServices(embedded.besEndpoint(), embedded.apiKey(),
                    embedded.connectionString()));
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
        bean(ExecutionOwners.class).close();
        context.close();
    }
}
