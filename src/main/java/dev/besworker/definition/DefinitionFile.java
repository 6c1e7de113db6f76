package dev.besworker.definition;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.util.unit.DataSize;

/**
 * A job definition file as Spring Boot's {@link org.springframework.boot.context.properties.bind.Binder}
 * binds it: one record per section, components in the order of the file format (the order problems
 * are reported in), keys the kebab-case of the component names. Values are as written (after
 * {@code ${VAR}} substitution) or converted by {@link DefinitionConversions}; a null is a key that
 * is absent or could not be read. {@link DefinitionSchema} derives the known keys from these
 * records ({@code global-parameters} and the items of {@code inputs} are bound apart by
 * {@link DefinitionBinder}), and the section readers ({@link BesSection}, {@link InputSections}, {@link StorageSection},
 * {@link RunSettings}) validate them into the public settings records.
 */
record DefinitionFile(Bes bes, Input input, @Hint("a list of inputs, e.g. [{name: input1}, {name: input2}]") List<Input> inputs,
        @Hint("a list, e.g. [output1]") List<String> outputs, Map<String, String> globalParameters, Storage storage,
        Poll poll, String outputDir, Inbox inbox, Schedule schedule, @Name("notify") Notify notification,
        @Hint("2") Integer maxConcurrentJobs) {

    /** The expected form of a list, or the example value of a whole number, for problem lines. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Hint {
        String value();
    }

    record Bes(String endpoint, String workspace, String service, String apiKey, String subscriptionKey, Retry retry,
            Duration requestTimeout) {
    }

    record Retry(@Hint("8") Integer maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget) {
    }

    record Input(String name, @Hint("a list of column names, e.g. [Col2]") List<String> requiredColumns,
            String delimiter, DataSize maxRecordSize) {
    }

    record Storage(String connectionString, String container, Boolean deleteStagingBlobs, String credentialsToBes) {
    }

    record Poll(Duration initialInterval, Duration maxInterval, Duration timeout) {
    }

    record Inbox(String dir, String pattern, Duration settle) {
    }

    record Schedule(String cron, String zone, Boolean catchUp) {
    }

    record Notify(String webhook, Boolean onSuccess) {
    }
}
