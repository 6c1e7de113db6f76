package dev.besworker.pipeline;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesEndpoint;
import dev.besworker.bes.RetryPolicy;
import dev.besworker.bes.Sleeper;
import dev.besworker.definition.BesSettings;
import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;
import dev.besworker.definition.RetrySettings;
import dev.besworker.secrets.Secret;
import dev.besworker.staging.BlobStaging;
import dev.besworker.staging.TransferSettings;

/**
 * Where the scoring steps get their definition and their remote clients from. A definition is
 * read again from the jobs folder for every step, so that a restart uses the definition as it
 * is now (its identity hash tells whether the request changed); {@code embedded} values are
 * replaced by the {@link LocalServices} the command line started.
 */
public class ScoringEnvironment {

    private final DefinitionLoader loader;
    private final Path jobsDir;
    private final TransferSettings transfer;
    private final AtomicReference<LocalServices> local = new AtomicReference<>();
    private final Map<StagingKey, BlobStaging> stagings = new ConcurrentHashMap<>();
    private volatile Consumer<String> retryListener = definition -> { };

    public ScoringEnvironment(DefinitionLoader loader, Path jobsDir) {
        this(loader, jobsDir, TransferSettings.defaults());
    }

    /** With the block size and parallelism of uploads. */
    public ScoringEnvironment(DefinitionLoader loader, Path jobsDir, TransferSettings transfer) {
        this.loader = loader;
        this.jobsDir = jobsDir;
        this.transfer = transfer;
    }

    /** The jobs folder definitions are read from. */
    public Path jobsDir() {
        return jobsDir;
    }

    /** Makes {@code embedded} definitions use these services; null forgets them. */
    public void useLocalServices(LocalServices services) {
        local.set(services);
    }

    /** The services standing in for {@code embedded}, or null. */
    public LocalServices localServices() {
        return local.get();
    }

    /**
     * The named definition, with {@code embedded} endpoint and storage replaced.
     *
     * @throws dev.besworker.definition.DefinitionException when the file is invalid
     * @throws IllegalStateException when it is embedded and no local services run
     */
    public JobDefinition definition(String name) {
        return effective(rawDefinition(name));
    }

    /** The named definition as written, {@code embedded} values kept. */
    public JobDefinition rawDefinition(String name) {
        return loader.load(jobsDir, name);
    }

    /** The definition with its {@code embedded} parts replaced by the running local services. */
    public JobDefinition effective(JobDefinition definition) {
        if (!definition.isEmbedded()) {
            return definition;
        }
        LocalServices services = local.get();
        if (services == null) {
            throw new IllegalStateException("definition '" + definition.name()
                    + "' uses embedded services, but none are running in this process");
        }
        JobDefinition effective = definition;
        if (definition.bes().embedded()) {
            effective = effective.withEndpoint(services.besEndpoint(), services.apiKey());
        }
        if (definition.storage().embedded()) {
            effective = effective.withStorage(services.connectionString());
        }
        return effective;
    }

    /** A BES client for the definition; the caller closes it. */
    public BesClient openBes(JobDefinition definition) {
        return openBes(definition, Sleeper.system());
    }

    /** A BES client whose retry waits go through {@code sleeper} (stop-aware callers); the caller closes it. */
    public BesClient openBes(JobDefinition definition, Sleeper sleeper) {
        BesSettings bes = definition.bes();
        RetrySettings retry = bes.retry();
        String name = definition.name();
        // The client waits once through its sleeper before every retry: counting the waits counts the retries.
        Sleeper counting = wait -> {
            retryListener.accept(name);
            sleeper.sleep(wait);
        };
        return new BesClient(
                BesEndpoint.of(bes.endpoint(), bes.workspace(), bes.service(), bes.apiKey(), bes.subscriptionKey()),
                new RetryPolicy(retry.maxAttempts(), retry.initialBackoff(), retry.maxBackoff(), retry.budget()),
                bes.requestTimeout(), counting);
    }

    /** Hears of every retried BES call, with the definition's name (serve's metrics); null for none. */
    public void onBesRetry(Consumer<String> listener) {
        retryListener = listener == null ? definition -> { } : listener;
    }

    /** Block size and parallelism of uploads. */
    public TransferSettings transferSettings() {
        return transfer;
    }

    /**
     * Blob staging for the definition's container: one per connection string and container, so
     * the storage SDK's client (its HTTP pipeline and connections) is built once, not per step.
     * Closing it releases nothing.
     */
    public BlobStaging openStaging(JobDefinition definition) {
        return stagings.computeIfAbsent(new StagingKey(definition.storage().connectionString(),
                definition.storage().container()), key -> new BlobStaging(key.connectionString(), key.container(), transfer));
    }

    /** What a {@link BlobStaging} is for. */
    private record StagingKey(Secret connectionString, String container) {
    }
}
