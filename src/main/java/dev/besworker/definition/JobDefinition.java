package dev.besworker.definition;

import dev.besworker.secrets.Redactor;
import dev.besworker.secrets.Secret;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A job as defined in {@code jobs/<name>.yml}: which service to call, which inputs it takes and
 * which outputs it gives, where inputs are staged, how the job is watched and where results land.
 * Made by {@link DefinitionLoader}, which validates every part; values are final and lists and
 * maps unmodifiable.
 *
 * @param name the file stem, {@code book-reviews} for {@code jobs/book-reviews.yml}
 * @param source the file it was read from (null for a definition built in code)
 * @param bes the service
 * @param inputs the service's inputs, at least one, names unique
 * @param outputs the service's output names, at least one, unique
 * @param globalParameters parameters passed to the service as they are, in file order. Values
 *     written literally in the file are not treated as secrets: a secret (a database password
 *     for an Import Data module, say) must come from {@code ${VAR}}, and such values are
 *     registered with the Redactor
 * @param storage the staging storage
 * @param poll how the job is watched
 * @param outputDir where results land, as {@code <input stem>.<output name>.csv}; absolute and normalized
 * @param inbox the watched folder, or null
 * @param schedule when the job runs by itself, or null
 * @param notification where outcomes are posted ({@code notify:} in the file), or null. Named so
 *     because a record component {@code notify} would clash with {@link Object#notify()}
 * @param maxConcurrentJobs how many runs of this definition {@code serve} runs at once
 *     ({@code max-concurrent-jobs:} in the file, at least 1), or null for no limit of its own (the
 *     worker's global {@code besworker.max-concurrent-jobs} still applies)
 */
public record JobDefinition(String name, Path source, BesSettings bes, List<InputSpec> inputs, List<String> outputs,
        Map<String, String> globalParameters, StorageSettings storage, PollSettings poll, Path outputDir,
        InboxSettings inbox, ScheduleSettings schedule, NotifySettings notification, Integer maxConcurrentJobs) {

    public JobDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bes, "bes");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        globalParameters = globalParameters == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(globalParameters));
        Objects.requireNonNull(storage, "storage");
        poll = poll == null ? PollSettings.defaults() : poll;
        Objects.requireNonNull(outputDir, "outputDir");
        if (maxConcurrentJobs != null && maxConcurrentJobs < 1) {
            throw new IllegalArgumentException("maxConcurrentJobs must be at least 1: " + maxConcurrentJobs);
        }
    }

    /** A definition without a concurrency limit of its own. */
    public JobDefinition(String name, Path source, BesSettings bes, List<InputSpec> inputs, List<String> outputs,
            Map<String, String> globalParameters, StorageSettings storage, PollSettings poll, Path outputDir,
            InboxSettings inbox, ScheduleSettings schedule, NotifySettings notification) {
        this(name, source, bes, inputs, outputs, globalParameters, storage, poll, outputDir, inbox, schedule,
                notification, null);
    }

    /**
     * The single input of a one-input service.
     *
     * @throws IllegalStateException when the definition has several inputs (use {@link #inputs()})
     */
    public InputSpec input() {
        if (inputs.size() != 1) {
            throw new IllegalStateException("job " + name + " has " + inputs.size() + " inputs ("
                    + inputs.stream().map(InputSpec::name).collect(Collectors.joining(", "))
                    + "); a single input was expected, so use inputs()");
        }
        return inputs.get(0);
    }

    /** Whether the service or the storage is the embedded one (the worker starts it itself). */
    public boolean isEmbedded() {
        return bes.embedded() || storage.embedded();
    }

    /**
     * A copy calling another endpoint with another API key, e.g. the URL of the emulator started
     * for an embedded definition. Workspace, service, subscription key, retry and timeout are kept.
     */
    public JobDefinition withEndpoint(String endpoint, Secret apiKey) {
        return new JobDefinition(name, source, bes.withEndpoint(endpoint, apiKey), inputs, outputs, globalParameters,
                storage, poll, outputDir, inbox, schedule, notification, maxConcurrentJobs);
    }

    /**
     * A copy staging through another connection string, e.g. the Azurite started for an embedded
     * definition. Container and the other storage settings are kept.
     */
    public JobDefinition withStorage(Secret connectionString) {
        return new JobDefinition(name, source, bes, inputs, outputs, globalParameters,
                storage.withConnectionString(connectionString), poll, outputDir, inbox, schedule, notification,
                maxConcurrentJobs);
    }

    /** Like the record's own, but global parameter values that are known secrets are masked. */
    @Override
    public String toString() {
        return Redactor.scrub("JobDefinition[name=" + name + ", source=" + source + ", bes=" + bes + ", inputs=" + inputs
                + ", outputs=" + outputs + ", globalParameters=" + globalParameters + ", storage=" + storage
                + ", poll=" + poll + ", outputDir=" + outputDir + ", inbox=" + inbox + ", schedule=" + schedule
                + ", notification=" + notification + ", maxConcurrentJobs=" + maxConcurrentJobs + "]");
    }
}
