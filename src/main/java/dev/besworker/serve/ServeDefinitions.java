package dev.besworker.serve;

import java.nio.file.Path;
import java.util.List;

import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;

/**
 * The job definitions {@code serve} works with, read once at start-up (restart serve to pick up
 * changed or new definitions). Invalid ones are reported and left out: one broken file does not
 * stop the others.
 *
 * @param valid the definitions that loaded
 * @param invalid the files that did not, with their problems
 */
public record ServeDefinitions(List<JobDefinition> valid, List<DefinitionLoader.Entry> invalid) {

    /** Loads every definition in the jobs folder. */
    public static ServeDefinitions load(DefinitionLoader loader, Path jobsDir) {
        List<DefinitionLoader.Entry> entries = loader.loadAll(jobsDir);
        return new ServeDefinitions(
                entries.stream().filter(e -> e.definition() != null).map(DefinitionLoader.Entry::definition).toList(),
                entries.stream().filter(e -> e.definition() == null).toList());
    }

    /** The names of the valid definitions. */
    public List<String> names() {
        return valid.stream().map(JobDefinition::name).toList();
    }

    /** Whether any valid definition uses the embedded emulator or Azurite. */
    public boolean anyEmbedded() {
        return valid.stream().anyMatch(JobDefinition::isEmbedded);
    }
}
