package dev.besworker.definition;

import dev.besworker.secrets.Redactor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns one composed YAML document into a {@link JobDefinition}: the node tree becomes a property
 * source ({@link YamlSource}, which refuses unknown keys and wrong shapes), Spring Boot's
 * {@link Binder} binds it into the {@link DefinitionFile} records (substituting {@code ${VAR}}
 * through {@link EnvironmentPlaceholders} and converting through {@link DefinitionConversions},
 * collecting every failure), and the section readers validate the values into the public
 * settings records. Every problem is collected, none stops the others.
 */
final class DefinitionBinder {

    private final String display;
    private final EnvironmentPlaceholders placeholders;
    private final Path workingDir;
    private final Problems problems;

    DefinitionBinder(String display, Map<String, String> environment, Path workingDir) {
        this.display = display;
        this.placeholders = new EnvironmentPlaceholders(environment);
        this.workingDir = workingDir;
        this.problems = new Problems(display);
    }

    /** The problem lines, in the order of the file format, secrets masked. */
    List<String> problems() {
        return problems.lines();
    }

    /** The definition, or null when there were problems (see {@link #problems()}). */
    JobDefinition bind(String name, Path file, Node root) {
        if (root == null || YamlSource.isNull(root)) {
            problems.add("", 0, "the file is empty; start from jobs/book-reviews.yml, which shows every setting");
            return null;
        }
        YamlSource source = YamlSource.read(root, new FileSystemResource(file), problems);
        if (source == null) {
            return null;
        }
        DefinitionFile bound = bindFile(source);
        Reading reading = new Reading(source, problems, placeholders, workingDir);
        RunSettings run = new RunSettings(reading);
        InputSections inputs = new InputSections(reading);

        BesSettings bes = new BesSection(reading).read(bound.bes());
        List<InputSpec> inputSpecs = inputs.inputs(bound);
        List<String> outputs = inputs.outputs(bound.outputs());
        Map<String, String> globalParameters = globalParameters(source);
        StorageSettings storage = new StorageSection(reading).read(bound.storage());
        PollSettings poll = run.poll(bound.poll());
        Path outputDir = run.outputDir(bound.outputDir(), name);
        InboxSettings inbox = run.inbox(bound.inbox(), outputDir);
        ScheduleSettings schedule = run.schedule(bound.schedule());
        NotifySettings notify = run.notify(bound.notification());
        Integer maxConcurrentJobs = run.maxConcurrentJobs(bound.maxConcurrentJobs());
        if (!problems.isEmpty()) {
            return null;
        }
        return new JobDefinition(name, file, bes, inputSpecs, outputs, globalParameters, storage, poll, outputDir, inbox,
                schedule, notify, maxConcurrentJobs);
    }

    /**
     * Binds the file. Lists of sections ({@code inputs}) are bound item by item: the binder ends a
     * list at the first index with no value, and an item may have none ({@code - {}}).
     */
    private DefinitionFile bindFile(YamlSource source) {
        Binder binder = new Binder(List.of(source.propertySource()), placeholders,
                DefinitionConversions.conversionService());
        DefinitionConversions.ProblemCollector collector = new DefinitionConversions.ProblemCollector(source, problems);
        DefinitionFile file = binder.bind(ConfigurationPropertyName.EMPTY, Bindable.of(DefinitionFile.class), collector)
                .orElseGet(() -> new DefinitionFile(null, null, null, null, null, null, null, null, null, null, null,
                        null));
        List<DefinitionFile.Input> inputs = new ArrayList<>();
        for (int i = 0; i < source.size("inputs"); i++) {
            inputs.add(binder.bind("inputs[" + i + "]", Bindable.of(DefinitionFile.Input.class), collector)
                    .orElse(null));
        }
        return new DefinitionFile(file.bes(), file.input(), inputs, file.outputs(), file.globalParameters(),
                file.storage(), file.poll(), file.outputDir(), file.inbox(), file.schedule(), file.notification(),
                file.maxConcurrentJobs());
    }

    /** Any parameter name is allowed: they are the service's, not ours. Substituted here, not by the binder. */
    private Map<String, String> globalParameters(YamlSource source) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> parameter : source.anyKeys("global-parameters").entrySet()) {
            String path = "global-parameters." + parameter.getKey();
            try {
                EnvironmentPlaceholders.Substituted value = placeholders.substitute(parameter.getValue());
                if (value.fromEnvironment()) {
                    // A value taken from the environment may well be a password: keep it out of logs.
                    Redactor.register(problems.secret(value.value()));
                }
                values.put(parameter.getKey(), value.value());
            } catch (EnvironmentPlaceholders.UnresolvedException e) {
                e.problems().forEach(problem -> problems.add(path, source.line(path), problem));
            }
        }
        return values;
    }
}
