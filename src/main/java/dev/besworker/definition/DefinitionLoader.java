package dev.besworker.definition;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.util.ConcurrentLruCache;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates job definitions, {@code jobs/<name>.yml} (or {@code .yaml}).
 *
 * <p>The file format, keys in kebab-case:
 * <pre>{@code
 * bes:
 *   endpoint: https://ussouthcentral.services.azureml.net   # or a gateway URL, a local emulator, or embedded
 *   workspace: 0123456789abcdef0123456789abcdef
 *   service: fedcba9876543210fedcba9876543210
 *   api-key: ${BES_API_KEY}
 *   subscription-key: ${APIM_KEY:}                        # optional, for an API Management gateway
 *   retry: {max-attempts: 8, initial-backoff: 1s, max-backoff: 60s, budget: 10m}   # optional
 *   request-timeout: 60s                                  # optional
 * input: {name: input1, required-columns: [Col2], delimiter: ",", max-record-size: 1MiB}
 * # or: inputs: [{name: input1, ...}, {name: input2, ...}]
 * outputs: [output1]
 * global-parameters: {}
 * storage: {connection-string: ${AZURE_STORAGE_CONNECTION_STRING}, container: bes-staging,
 *           delete-staging-blobs: false, credentials-to-bes: sas}
 * poll: {initial-interval: 2s, max-interval: 60s, timeout: 6h}
 * output-dir: output/book-reviews
 * inbox: {dir: inbox/book-reviews, pattern: "*.csv", settle: 10s}          # optional
 * schedule: {cron: "0 0 2 * * *", zone: Europe/Istanbul, catch-up: true}   # optional
 * notify: {webhook: https://hooks.example/x, on-success: false}           # optional
 * }</pre>
 *
 * <p>Every scalar may use {@code ${VAR}} or {@code ${VAR:default}}, taken from the environment
 * given to the constructor ({@code $${} writes a literal {@code ${}). Secrets (api-key,
 * subscription-key, connection-string) become {@link dev.besworker.secrets.Secret}s; they should
 * come from variables, and no problem line ever shows their values. Relative paths are resolved
 * against the working directory. Validation collects every problem, one complete line each
 * (file, key path, what is wrong, what to do, and the line when there is one), and throws them
 * together as a {@link DefinitionException}. This class finds and reads the files; SnakeYAML
 * composes the node tree and {@link DefinitionBinder} binds and validates it.
 */
public final class DefinitionLoader {

    /** What a job name (the file stem) may look like. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private static final List<String> EXTENSIONS = List.of(".yml", ".yaml");

    /**
     * What reading a definition gave, by everything it depends on: the file, its text, the
     * variables and the working directory. A command reads its definition several times (before
     * its context starts, at launch, in each step), {@code serve} at every inbox scan and schedule;
     * binding and validating took 40-100 ms each time at a command's start. Keyed by the text, not
     * the file's time and size, so an edit is always seen.
     */
    private static final ConcurrentLruCache<Source, Read> READ = new ConcurrentLruCache<>(64, DefinitionLoader::parse);

    private record Source(Path file, String text, Map<String, String> environment, Path workingDir) {
    }

    private record Read(JobDefinition definition, List<String> problems) {

        Read {
            problems = List.copyOf(problems);
        }
    }

    private final Map<String, String> environment;
    private final Path workingDir;

    /**
     * A loader substituting variables from {@code environment} and resolving relative paths
     * against {@code workingDir}.
     */
    public DefinitionLoader(Map<String, String> environment, Path workingDir) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.workingDir = workingDir.toAbsolutePath().normalize();
    }

    /** A loader for this process: its environment and current directory. */
    public static DefinitionLoader forProcess() {
        return new DefinitionLoader(System.getenv(), Path.of(""));
    }

    /** A definition found by {@link #loadAll}: the definition, or null and the problems. */
    public record Entry(String name, Path file, JobDefinition definition, List<String> problems) {

        public Entry {
            problems = List.copyOf(problems);
        }

        /** Whether the definition loaded without problems. */
        public boolean valid() {
            return definition != null;
        }
    }

    /**
     * Reads one definition file; the job's name is the file's stem.
     *
     * @throws DefinitionException listing every problem, when the file is missing, unreadable or invalid
     */
    public JobDefinition load(Path file) {
        Path absolute = workingDir.resolve(file).normalize();
        List<String> problems = new ArrayList<>();
        JobDefinition definition = read(absolute, problems);
        if (definition == null) {
            throw new DefinitionException(problems);
        }
        return definition;
    }

    /**
     * Reads the definition named {@code name} from {@code jobsDir} ({@code name.yml} or {@code name.yaml}).
     *
     * @throws DefinitionException when the name is not a job name, no such file exists, both do,
     *     or the definition is invalid
     */
    public JobDefinition load(Path jobsDir, String name) {
        Path dir = workingDir.resolve(jobsDir).normalize();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new DefinitionException("\"" + name + "\" is not a job name; job names use letters, digits, '.', '_'"
                    + " and '-' and start with a letter or digit (the file jobs/<name>.yml)");
        }
        List<Path> found = new ArrayList<>();
        for (String extension : EXTENSIONS) {
            Path candidate = dir.resolve(name + extension);
            if (Files.isRegularFile(candidate)) {
                found.add(candidate);
            }
        }
        if (found.size() > 1) {
            throw new DefinitionException(display(dir) + ": both " + name + ".yml and " + name + ".yaml exist; keep one");
        }
        if (found.isEmpty()) {
            List<String> available = names(dir);
            throw new DefinitionException(display(dir) + ": no job named " + name + " (looked for " + name + ".yml and "
                    + name + ".yaml); " + (available.isEmpty() ? "the folder has no definitions; copy"
                    + " jobs/book-reviews.yml to start one" : "available: " + String.join(", ", available)));
        }
        return load(found.get(0));
    }

    /**
     * Reads every {@code *.yml} and {@code *.yaml} in {@code jobsDir}, sorted by file name, each
     * as an entry with its definition or its problems. A missing folder gives an empty list.
     *
     * @throws DefinitionException when the folder exists but cannot be listed
     */
    public List<Entry> loadAll(Path jobsDir) {
        Path dir = workingDir.resolve(jobsDir).normalize();
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new DefinitionException(display(dir) + ": is not a folder; point it at the folder that holds"
                        + " the job definitions");
            }
            return List.of();
        }
        List<Path> files = definitionFiles(dir);
        Map<String, Long> stems = files.stream().collect(Collectors.groupingBy(DefinitionLoader::stem,
                Collectors.counting()));
        List<Entry> entries = new ArrayList<>();
        for (Path file : files) {
            String name = stem(file);
            List<String> problems = new ArrayList<>();
            JobDefinition definition = read(file, problems);
            if (stems.get(name) > 1) {
                problems.add(display(file) + ": another file also defines a job named " + name + " (" + name + ".yml and "
                        + name + ".yaml); keep one");
                definition = null;
            }
            entries.add(new Entry(name, file, definition, problems));
        }
        return entries;
    }

    /** The job names in a folder, sorted; empty when the folder is missing. */
    public List<String> names(Path jobsDir) {
        Path dir = workingDir.resolve(jobsDir).normalize();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        return definitionFiles(dir).stream().map(DefinitionLoader::stem).distinct().toList();
    }

    private List<Path> definitionFiles(Path dir) {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString()
                            .toLowerCase(Locale.ROOT).endsWith(e)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new DefinitionException(display(dir) + ": cannot list the folder (" + e.getClass().getSimpleName()
                    + "); check that it is readable");
        }
    }

    /** The definition, or null with the problems added. */
    private JobDefinition read(Path file, List<String> problems) {
        String display = display(file);
        String name = stem(file);
        boolean nameOk = NAME.matcher(name).matches();
        if (!nameOk) {
            problems.add(display + ": file name: \"" + name + "\" is not a valid job name; rename the file using"
                    + " letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            problems.add(display + ": no such file; check the path (job definitions live in jobs/<name>.yml)");
            return null;
        } catch (CharacterCodingException e) {
            problems.add(display + ": is not UTF-8 text; save it as UTF-8");
            return null;
        } catch (IOException e) {
            problems.add(display + ": cannot be read (" + e.getClass().getSimpleName() + "); check its permissions");
            return null;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        Read read = READ.get(new Source(file, text, environment, workingDir));
        problems.addAll(read.problems());
        return nameOk ? read.definition() : null;
    }

    /** Composes and binds a definition's text (the name's own check is {@link #read}'s). */
    private static Read parse(Source source) {
        String display = display(source.file(), source.workingDir());
        String text = source.text();
        List<String> problems = new ArrayList<>();
        Node root;
        try {
            root = yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            problems.add(syntaxProblem(display, e));
            return new Read(null, problems);
        } catch (YAMLException e) {
            // Not the exception's message: it may quote the source, which may hold a key.
            problems.add(display + ": cannot be read as YAML (" + e.getClass().getSimpleName() + "); check that it is"
                    + " a small UTF-8 YAML file");
            return new Read(null, problems);
        }
        DefinitionBinder binder = new DefinitionBinder(display, source.environment(), source.workingDir());
        JobDefinition definition = binder.bind(stem(source.file()), source.file(), root);
        problems.addAll(binder.problems());
        return new Read(definition, problems);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        // A job definition is a page of settings; anything near these limits is a mistake or an attack.
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(1024 * 1024);
        return new Yaml(new SafeConstructor(options));
    }

    private static String syntaxProblem(String display, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
        // Problem and context only: the full message quotes the source line, which may hold a key.
        String what = e.getProblem() != null ? e.getProblem() : "invalid YAML";
        if (e.getContext() != null) {
            what = e.getContext() + ", " + what;
        }
        what = what.replaceAll("\\s+", " ").strip();
        return (display + ": " + where + "YAML syntax error: " + what + "; check the indentation (spaces,"
                + " not tabs) and quote values that contain \": \", \" #\" or start with a special character");
    }

    private String display(Path file) {
        return display(file, workingDir);
    }

    private static String display(Path file, Path workingDir) {
        Path normalized = file.toAbsolutePath().normalize();
        return normalized.startsWith(workingDir) && !normalized.equals(workingDir)
                ? workingDir.relativize(normalized).toString()
                : normalized.toString();
    }

    private static String stem(Path file) {
        String fileName = file.getFileName().toString();
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (String extension : EXTENSIONS) {
            if (lower.endsWith(extension)) {
                return fileName.substring(0, fileName.length() - extension.length());
            }
        }
        return fileName;
    }
}
