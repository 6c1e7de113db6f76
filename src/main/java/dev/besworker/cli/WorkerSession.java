package dev.besworker.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

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

    /** Runs the definition's check on a daemon thread of its own, one per session. */
    private static final Executor CHECK = checkThreads();

    private final ConfigurableApplicationContext context;
    private final CompletableFuture<EmbeddedServices.Starting> checked;
    private EmbeddedServices.Starting starting;
    private EmbeddedServices embedded;

    private WorkerSession(ConfigurableApplicationContext context, CompletableFuture<EmbeddedServices.Starting> checked) {
        this.context = context;
        this.checked = checked;
    }

    static WorkerSession open(BesWorkerCommand global) {
        return open(global, null);
    }

    /**
     * Opens the session; when the definition named {@code embeddedFor} asks for embedded
     * services, Azurite starts beside the Spring context (it takes about as long to load),
     * ready for {@link #startEmbeddedFor(String)}. The definition is read for that on a thread
     * of its own while the context starts (binding it was 0.1-0.2 s of the main thread's start),
     * and the command finds it read when it asks for it ({@link DefinitionLoader} keeps it). The
     * services begin once Spring Boot has configured logging (their start logs; begun earlier,
     * what they logged while Boot reset Logback was lost).
     */
    static WorkerSession open(BesWorkerCommand global, String embeddedFor) {
        Path dataDir = global.dataDir.toAbsolutePath().normalize();
        CompletableFuture<Void> loggingReady = new CompletableFuture<>();
        CompletableFuture<EmbeddedServices.Starting> checked = embeddedFor == null
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> isEmbedded(global.jobsDir, embeddedFor), CHECK)
                        .thenCombineAsync(loggingReady, (embedded, ready) -> embedded ? EmbeddedServices.begin(dataDir) : null,
                                CHECK);
        ConfigurableApplicationContext context;
        try {
            context = WorkerContext.command(dataDir, global.jobsDir, () -> loggingReady.complete(null));
        }
        catch (RuntimeException | Error ex) {
            loggingReady.completeExceptionally(ex);
            EmbeddedServices.Starting starting = begunIfAny(checked);
            if (starting != null) {
                starting.close();
            }
            throw ex;
        }
        loggingReady.complete(null); // in case no event said so (it did, if Boot configured logging)
        WorkerSession session = new WorkerSession(context, checked);
        StopSignals.install(context.getBean(ExecutionOwners.class), context.getBean(WorkerProperties.class).stopTimeout());
        return session;
    }

    private static Executor checkThreads() {
        SimpleAsyncTaskExecutor threads = new SimpleAsyncTaskExecutor("definition-check-");
        threads.setDaemon(true);
        return threads;
    }

    /** The services the check began to start, or null; what failed to begin is thrown as it was. */
    private static EmbeddedServices.Starting begun(CompletableFuture<EmbeddedServices.Starting> checked) {
        try {
            return checked.join();
        }
        catch (CompletionException ex) {
            if (ex.getCause() instanceof RuntimeException failed) {
                throw failed;
            }
            throw ex;
        }
    }

    /** The services the check began to start, or null, also when they failed to begin: what there is to close. */
    private static EmbeddedServices.Starting begunIfAny(CompletableFuture<EmbeddedServices.Starting> checked) {
        return checked.exceptionally(failed -> null).join();
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
            starting = begun(checked);
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
        else {
            EmbeddedServices.Starting begun = starting != null ? starting : begunIfAny(checked);
            if (begun != null) {
                begun.close();
            }
        }
        bean(ExecutionOwners.class).close();
        context.close();
    }
}
