package dev.besworker.definition;

import dev.besworker.secrets.Redactor;
import dev.besworker.secrets.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.scheduling.support.CronExpression;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns one composed YAML document into a {@link JobDefinition}, collecting every problem instead
 * of stopping at the first. Works on SnakeYAML's node tree rather than constructed objects so that
 * each problem can name its line and every scalar is read as written (an id such as
 * {@code 01234567...} must not turn into an octal number). One instance per file.
 */
final class DefinitionParser {

    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");

    private static final Set<String> TOP_KEYS = keys("bes", "input", "inputs", "outputs", "global-parameters",
            "storage", "poll", "output-dir", "inbox", "schedule", "notify", "max-concurrent-jobs");
    private static final Set<String> BES_KEYS = keys("endpoint", "workspace", "service", "api-key",
            "subscription-key", "retry", "request-timeout");
    private static final Set<String> RETRY_KEYS = keys("max-attempts", "initial-backoff", "max-backoff", "budget");
    private static final Set<String> INPUT_KEYS = keys("name", "required-columns", "delimiter", "max-record-size");
    private static final Set<String> STORAGE_KEYS = keys("connection-string", "container", "delete-staging-blobs",
            "credentials-to-bes");
    private static final Set<String> POLL_KEYS = keys("initial-interval", "max-interval", "timeout");
    private static final Set<String> INBOX_KEYS = keys("dir", "pattern", "settle");
    private static final Set<String> SCHEDULE_KEYS = keys("cron", "zone", "catch-up");
    private static final Set<String> NOTIFY_KEYS = keys("webhook", "on-success");

    /** Every known key path, for suggesting where a key that is in the wrong section belongs. */
    private static final Map<String, Set<String>> SECTIONS = sections();

    private final String display;
    private final Map<String, String> environment;
    private final Path workingDir;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> secretValues = new HashSet<>();

    DefinitionParser(String display, Map<String, String> environment, Path workingDir) {
        this.display = display;
        this.environment = environment;
        this.workingDir = workingDir;
    }

    /** Adds a problem line; {@code line} 0 when there is no line to point at. */
    void problem(String path, int line, String message) {
        problems.add(display + ": " + (path.isEmpty() ? "" : path + ": ") + message
                + (line > 0 ? " (line " + line + ")" : ""));
    }

    /**
     * The problems with every secret value read from this file masked. Messages are written not
     * to quote secrets; this is the second net. Redactor.scrub is not used here because its
     * {@code api-key:} shape would mask the word after every {@code bes.api-key:} key path.
     */
    List<String> problems() {
        List<String> masked = new ArrayList<>(problems.size());
        for (String line : problems) {
            for (String secret : secretValues) {
                line = line.replace(secret, Redactor.MASK);
            }
            masked.add(line);
        }
        return masked;
    }

    /** Remembers a value read from the file or the environment that must never be shown. */
    private String secret(String value) {
        // Short values would mask ordinary words in messages; the Redactor draws the same line.
        if (value != null && value.length() >= 8) {
            secretValues.add(value);
        }
        return value;
    }

    /** The definition, or null when there were problems (see {@link #problems()}). */
    JobDefinition parse(String name, Path source, Node root) {
        if (root == null || (root instanceof ScalarNode scalar && scalar.getTag() == Tag.NULL)) {
            problem("", 0, "the file is empty; start from jobs/book-reviews.yml, which shows every setting");
            return null;
        }
        Section top = section("", root, TOP_KEYS);
        if (top == null) {
            return null;
        }
        BesSettings bes = bes(top);
        List<InputSpec> inputs = inputs(top);
        List<String> outputs = outputs(top);
        Map<String, String> globalParameters = globalParameters(top);
        StorageSettings storage = storage(top);
        PollSettings poll = poll(top);
        Path outputDir = outputDir(top, name);
        InboxSettings inbox = inbox(top, outputDir);
        ScheduleSettings schedule = schedule(top);
        NotifySettings notify = notify(top);
        Integer maxConcurrentJobs = maxConcurrentJobs(top);
        if (!problems.isEmpty()) {
            return null;
        }
        return new JobDefinition(name, source, bes, inputs, outputs, globalParameters, storage, poll, outputDir, inbox,
                schedule, notify, maxConcurrentJobs);
    }

    // ---------------------------------------------------------------- sections

    private BesSettings bes(Section top) {
        Section bes = top.requiredSection("bes", BES_KEYS,
                "add a bes: section with endpoint, workspace, service and api-key (see jobs/book-reviews.yml)");
        if (bes == null) {
            return null;
        }
        String endpoint = endpoint(bes);
        boolean embedded = BesSettings.EMBEDDED.equals(endpoint);
        String workspace = serviceId(bes, "workspace", embedded, BesSettings.EMBEDDED_WORKSPACE, "workspaces");
        String service = serviceId(bes, "service", embedded, BesSettings.EMBEDDED_SERVICE, "services");

        Secret apiKey;
        if (embedded) {
            String key = secret(bes.text("api-key"));
            apiKey = key == null || key.isEmpty() ? Secret.empty() : Secret.of(key);
        } else {
            String key = secret(bes.requiredText("api-key",
                    "set it to ${BES_API_KEY} and export the service's API key as BES_API_KEY"));
            apiKey = key == null ? null : Secret.of(key);
        }
        String subscription = secret(bes.text("subscription-key"));
        Secret subscriptionKey = subscription == null || subscription.isEmpty()
                ? Secret.empty() : Secret.of(subscription);

        RetrySettings retry = retry(bes);
        Duration requestTimeout = bes.duration("request-timeout", BesSettings.DEFAULT_REQUEST_TIMEOUT);
        requirePositive(bes, "request-timeout", requestTimeout);
        if (endpoint == null || workspace == null || service == null || apiKey == null || retry == null) {
            return null;
        }
        return new BesSettings(endpoint, workspace, service, apiKey, subscriptionKey, retry, requestTimeout);
    }

    private String endpoint(Section bes) {
        String fix = "set the service root URL, a gateway URL or \"embedded\"";
        String value = bes.requiredText("endpoint", fix);
        if (value == null) {
            return null;
        }
        String path = bes.path("endpoint");
        int line = bes.line("endpoint");
        if (value.equalsIgnoreCase(BesSettings.EMBEDDED)) {
            return BesSettings.EMBEDDED;
        }
        URI uri = httpUri(value);
        if (uri == null) {
            problem(path, line, quoteUnlessCredentials(value) + " is not an http(s) URL; " + fix
                    + ", e.g. https://ussouthcentral.services.azureml.net");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            problem(path, line, "must not carry user credentials; remove the user:password@ part and set bes.api-key");
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problem(path, line, "must not have a query or fragment; remove everything from the ? or #");
            return null;
        }
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (rawPath.toLowerCase(Locale.ROOT).contains("/workspaces/")) {
            problem(path, line, "includes /workspaces/...; set only the service root (https://host, plus a gateway's"
                    + " path if any) and put the ids into bes.workspace and bes.service");
            return null;
        }
        if (uri.getScheme().equalsIgnoreCase("http") && !isLoopback(uri.getHost())) {
            problem(path, line, "http:// to " + uri.getHost() + " would send the API key in clear; use https://"
                    + " (plain http is allowed only for localhost, 127.x.x.x and [::1])");
            return null;
        }
        // BesEndpoint appends /workspaces/...: a trailing slash would double it.
        String normalized = value.strip();
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return normalized;
    }

    private String serviceId(Section bes, String key, boolean embedded, String embeddedDefault, String urlSegment) {
        String path = bes.path(key);
        if (embedded) {
            String value = bes.text(key);
            if (value == null || value.isEmpty()) {
                return embeddedDefault;
            }
            if (!PATH_SEGMENT.matcher(value).matches()) {
                problem(path, bes.line(key), "\"" + value + "\" cannot be part of a URL path; use letters, digits,"
                        + " '.', '_', '~' and '-' (or leave it out: the embedded service takes any id)");
                return null;
            }
            return value;
        }
        String value = bes.requiredText(key, "set the 32-hex-character " + key + " id (the part after /" + urlSegment
                + "/ in the service's request URL)");
        if (value == null) {
            return null;
        }
        if (!HEX32.matcher(value).matches()) {
            problem(path, bes.line(key), "\"" + value + "\" is not a " + key + " id; it must be 32 hexadecimal"
                    + " characters (the part after /" + urlSegment + "/ in the service's request URL)");
            return null;
        }
        return value;
    }

    private RetrySettings retry(Section bes) {
        RetrySettings defaults = RetrySettings.defaults();
        if (!bes.has("retry")) {
            return defaults;
        }
        Section retry = bes.optionalSection("retry", RETRY_KEYS);
        if (retry == null) {
            return null;
        }
        Integer maxAttempts = retry.wholeNumber("max-attempts", defaults.maxAttempts());
        if (maxAttempts != null && maxAttempts < 1) {
            problem(retry.path("max-attempts"), retry.line("max-attempts"),
                    "must be at least 1 (1 means no retries)");
            maxAttempts = null;
        }
        Duration initial = retry.duration("initial-backoff", defaults.initialBackoff());
        Duration max = retry.duration("max-backoff", defaults.maxBackoff());
        Duration budget = retry.duration("budget", defaults.budget());
        boolean ok = requirePositive(retry, "initial-backoff", initial)
                & requirePositive(retry, "max-backoff", max)
                & requirePositive(retry, "budget", budget);
        if (ok && initial != null && max != null) {
            requireOrdered(retry, "initial-backoff", initial, "max-backoff", max);
        }
        if (maxAttempts == null || initial == null || max == null || budget == null) {
            return null;
        }
        return new RetrySettings(maxAttempts, initial, max, budget);
    }

    private List<InputSpec> inputs(Section top) {
        boolean single = top.has("input");
        boolean list = top.has("inputs");
        if (single && list) {
            problem("inputs", top.line("inputs"), "both input and inputs are set; keep one (input for a single"
                    + " input, inputs for a list of several)");
            return null;
        }
        if (!single && !list) {
            problem("input", 0, "missing; add input: {name: input1, required-columns: [...]} (or inputs: [...]"
                    + " for a service with several inputs)");
            return null;
        }
        if (single) {
            Section input = top.optionalSection("input", INPUT_KEYS);
            InputSpec spec = input == null ? null : inputSpec(input, "input1");
            return spec == null ? null : List.of(spec);
        }
        List<Node> items = top.sequence("inputs", "a list of inputs, e.g. [{name: input1}, {name: input2}]");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            problem("inputs", top.line("inputs"), "is empty; list the service's inputs, e.g. [{name: input1}]");
            return null;
        }
        List<InputSpec> specs = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            Section item = section("inputs[" + i + "]", items.get(i), INPUT_KEYS);
            if (item == null) {
                ok = false;
                continue;
            }
            if (!item.has("name")) {
                problem(item.path("name"), lineOf(items.get(i)),
                        "missing; each of several inputs needs the service's input name, e.g. name: input" + (i + 1));
                ok = false;
                continue;
            }
            InputSpec spec = inputSpec(item, null);
            if (spec == null) {
                ok = false;
                continue;
            }
            Integer previous = seen.putIfAbsent(spec.name(), i);
            if (previous != null) {
                problem(item.path("name"), item.line("name"), "\"" + spec.name() + "\" is already the name of inputs["
                        + previous + "]; input names must be unique");
                ok = false;
            }
            specs.add(spec);
        }
        return ok ? specs : null;
    }

    private InputSpec inputSpec(Section input, String defaultName) {
        String name = input.text("name");
        boolean ok = true;
        if (name == null || name.isEmpty()) {
            if (input.has("name") || defaultName == null) {
                if (name != null) {
                    problem(input.path("name"), input.line("name"), "is empty; set the service's input name, e.g. input1");
                }
                ok = false;
            } else {
                name = defaultName;
            }
        } else if (!isPortName(name)) {
            problem(input.path("name"), input.line("name"), "\"" + name + "\" is not a usable input name; remove"
                    + " control characters, '/' and '\\'");
            ok = false;
        }
        List<String> columns = input.stringList("required-columns", "a list of column names, e.g. [Col2]");
        if (columns == null) {
            ok = false;
        } else {
            Set<String> unique = new HashSet<>();
            for (String column : columns) {
                if (column.isBlank()) {
                    problem(input.path("required-columns"), input.line("required-columns"),
                            "has an empty column name; remove it or write the header's name");
                    ok = false;
                } else if (!unique.add(column)) {
                    problem(input.path("required-columns"), input.line("required-columns"),
                            "lists \"" + column + "\" twice; list each column once");
                    ok = false;
                }
            }
        }
        Character delimiter = delimiter(input);
        int maxRecordBytes = maxRecordBytes(input);
        if (!ok || delimiter == null || maxRecordBytes <= 0) {
            return null;
        }
        return new InputSpec(name, columns, delimiter, maxRecordBytes);
    }

    private Character delimiter(Section input) {
        String value = input.text("delimiter");
        if (value == null) {
            return input.failed("delimiter") ? null : InputSpec.DEFAULT_DELIMITER;
        }
        String fix = "use a single character, e.g. \",\" or \";\", or \"\\t\" (or tab) for tab-separated files";
        char c;
        if (value.equals("\\t") || value.equalsIgnoreCase("tab")) {
            c = '\t';
        } else if (value.length() == 1) {
            c = value.charAt(0);
        } else {
            problem(input.path("delimiter"), input.line("delimiter"), "\"" + value + "\" is not a single character; "
                    + fix);
            return null;
        }
        if (c == '"' || c == '\r' || c == '\n') {
            problem(input.path("delimiter"), input.line("delimiter"), "a quote or line break cannot separate fields; "
                    + fix);
            return null;
        }
        return c;
    }

    private int maxRecordBytes(Section input) {
        String value = input.text("max-record-size");
        if (value == null) {
            return input.failed("max-record-size") ? -1 : InputSpec.DEFAULT_MAX_RECORD_BYTES;
        }
        String path = input.path("max-record-size");
        int line = input.line("max-record-size");
        long bytes;
        try {
            bytes = Units.bytes(value);
        } catch (IllegalArgumentException e) {
            problem(path, line, e.getMessage() + "; " + Units.SIZE_FORMS);
            return -1;
        }
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            problem(path, line, "must be between 1 byte and 2GiB; " + Units.SIZE_FORMS);
            return -1;
        }
        return (int) bytes;
    }

    private List<String> outputs(Section top) {
        String fix = "list the service's output names, e.g. [output1]";
        if (!top.has("outputs")) {
            problem("outputs", 0, "missing; " + fix);
            return null;
        }
        List<String> outputs = top.stringList("outputs", "a list, e.g. [output1]");
        if (outputs == null) {
            return null;
        }
        if (outputs.isEmpty()) {
            problem("outputs", top.line("outputs"), "is empty; " + fix);
            return null;
        }
        Set<String> unique = new HashSet<>();
        boolean ok = true;
        for (String output : outputs) {
            if (output.isBlank()) {
                problem("outputs", top.line("outputs"), "has an empty name; " + fix);
                ok = false;
            } else if (!isPortName(output)) {
                problem("outputs", top.line("outputs"), "\"" + output + "\" is not a usable output name; remove"
                        + " control characters, '/' and '\\'");
                ok = false;
            } else if (!unique.add(output)) {
                problem("outputs", top.line("outputs"), "lists \"" + output + "\" twice; list each output once");
                ok = false;
            }
        }
        return ok ? outputs : null;
    }

    private Map<String, String> globalParameters(Section top) {
        if (!top.has("global-parameters")) {
            return Map.of();
        }
        // Any parameter name is allowed: they are the service's, not ours.
        Section params = top.optionalSection("global-parameters", null);
        if (params == null) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        boolean ok = true;
        for (String key : params.keys()) {
            Substituted value = params.substituted(key);
            if (value == null) {
                if (params.failed(key)) {
                    ok = false;
                } else {
                    values.put(key, "");
                }
                continue;
            }
            if (value.fromEnvironment()) {
                // A value taken from the environment may well be a password: keep it out of logs.
                Redactor.register(secret(value.value()));
            }
            values.put(key, value.value());
        }
        return ok ? values : null;
    }

    private StorageSettings storage(Section top) {
        Section storage = top.requiredSection("storage", STORAGE_KEYS,
                "add a storage: section with connection-string and container (see jobs/book-reviews.yml)");
        if (storage == null) {
            return null;
        }
        Secret connectionString = connectionString(storage);
        String container = container(storage);
        Boolean delete = storage.bool("delete-staging-blobs", false);
        CredentialsToBes credentials = credentialsToBes(storage);
        if (connectionString == null || container == null || delete == null || credentials == null) {
            return null;
        }
        return new StorageSettings(connectionString, container, delete, credentials);
    }

    private Secret connectionString(Section storage) {
        String value = storage.requiredText("connection-string",
                "set it to ${AZURE_STORAGE_CONNECTION_STRING} (and export the storage account's connection string)"
                        + " or to \"embedded\"");
        if (value == null) {
            return null;
        }
        if (value.equalsIgnoreCase(StorageSettings.EMBEDDED)) {
            // The empty secret stands for embedded: Secret.of("embedded") would have the Redactor
            // mask the word "embedded" in every log line.
            return Secret.empty();
        }
        Secret secret = Secret.of(secret(value));
        String problem = connectionStringProblem(value);
        if (problem != null) {
            problem(storage.path("connection-string"), storage.line("connection-string"), problem);
            return null;
        }
        return secret;
    }

    /** What is wrong with a connection string, never quoting it; null when it is usable. */
    static String connectionStringProblem(String value) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
            }
        }
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            return null;
        }
        boolean accountKey = !parts.getOrDefault("accountname", "").isEmpty()
                && !parts.getOrDefault("accountkey", "").isEmpty();
        boolean sas = !parts.getOrDefault("blobendpoint", "").isEmpty()
                && !parts.getOrDefault("sharedaccesssignature", "").isEmpty();
        if (accountKey || sas) {
            String endpoint = parts.get("blobendpoint");
            if (endpoint != null && !endpoint.isEmpty() && httpUri(endpoint) == null) {
                return "its BlobEndpoint is not an http(s) URL; copy the connection string again from the portal"
                        + " (Storage account > Access keys) (the value is not shown)";
            }
            return null;
        }
        // Only recognized key names are listed: an unrecognized segment could be a pasted key.
        List<String> known = new ArrayList<>();
        for (String name : List.of("DefaultEndpointsProtocol", "AccountName", "AccountKey", "BlobEndpoint",
                "SharedAccessSignature", "EndpointSuffix", "UseDevelopmentStorage")) {
            if (parts.containsKey(name.toLowerCase(Locale.ROOT))) {
                known.add(name);
            }
        }
        return "is not a usable storage connection string" + (known.isEmpty() ? "" : " (it has " + String.join(", ",
                known) + ")") + "; it needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature, or"
                + " UseDevelopmentStorage=true, or \"embedded\"; copy it from the portal (Storage account > Access"
                + " keys) (the value is not shown)";
    }

    private String container(Section storage) {
        String value = storage.text("container");
        if (value == null) {
            return storage.failed("container") ? null : StorageSettings.DEFAULT_CONTAINER;
        }
        if (!CONTAINER.matcher(value).matches()) {
            problem(storage.path("container"), storage.line("container"), "\"" + value + "\" is not a valid container"
                    + " name; use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter"
                    + " or digit, e.g. bes-staging");
            return null;
        }
        return value;
    }

    private CredentialsToBes credentialsToBes(Section storage) {
        String value = storage.text("credentials-to-bes");
        if (value == null) {
            return storage.failed("credentials-to-bes") ? null : CredentialsToBes.SAS;
        }
        for (CredentialsToBes candidate : CredentialsToBes.values()) {
            if (candidate.yamlName().equalsIgnoreCase(value) || candidate.name().equalsIgnoreCase(value)) {
                return candidate;
            }
        }
        problem(storage.path("credentials-to-bes"), storage.line("credentials-to-bes"), "\"" + value + "\" is not"
                + " one of sas, connection-string; use sas (short-lived blob tokens, the account key stays here) or"
                + " connection-string");
        return null;
    }

    private PollSettings poll(Section top) {
        PollSettings defaults = PollSettings.defaults();
        if (!top.has("poll")) {
            return defaults;
        }
        Section poll = top.optionalSection("poll", POLL_KEYS);
        if (poll == null) {
            return null;
        }
        Duration initial = poll.duration("initial-interval", defaults.initialInterval());
        Duration max = poll.duration("max-interval", defaults.maxInterval());
        Duration timeout = poll.duration("timeout", defaults.timeout());
        boolean ok = requirePositive(poll, "initial-interval", initial)
                & requirePositive(poll, "max-interval", max)
                & requirePositive(poll, "timeout", timeout);
        if (ok && initial != null && max != null) {
            ok = requireOrdered(poll, "initial-interval", initial, "max-interval", max);
        }
        if (!ok || initial == null || max == null || timeout == null) {
            return null;
        }
        return new PollSettings(initial, max, timeout);
    }

    private Path outputDir(Section top, String name) {
        String value = top.text("output-dir");
        if (value == null) {
            return top.failed("output-dir") ? null : resolve("output-dir", 0, "output/" + name);
        }
        if (value.isBlank()) {
            problem("output-dir", top.line("output-dir"), "is empty; set a folder, e.g. output/" + name);
            return null;
        }
        return resolve("output-dir", top.line("output-dir"), value);
    }

    private InboxSettings inbox(Section top, Path outputDir) {
        if (!top.has("inbox")) {
            return null;
        }
        Section inbox = top.optionalSection("inbox", INBOX_KEYS);
        if (inbox == null) {
            return null;
        }
        String dirText = inbox.requiredText("dir", "set the folder to watch, e.g. inbox/<job name>");
        Path dir = null;
        if (dirText != null) {
            if (dirText.isBlank()) {
                problem(inbox.path("dir"), inbox.line("dir"), "is empty; set the folder to watch, e.g. inbox/<job name>");
            } else {
                dir = resolve(inbox.path("dir"), inbox.line("dir"), dirText);
                if (dir != null && dir.equals(outputDir)) {
                    problem(inbox.path("dir"), inbox.line("dir"), "is the same folder as output-dir, so results would"
                            + " be taken as new inputs; use separate folders");
                    dir = null;
                }
            }
        }
        String pattern = inbox.text("pattern");
        if (pattern == null) {
            pattern = inbox.failed("pattern") ? null : InboxSettings.DEFAULT_PATTERN;
        } else if (pattern.isEmpty()) {
            problem(inbox.path("pattern"), inbox.line("pattern"), "is empty; use a file name glob, e.g. \"*.csv\"");
            pattern = null;
        } else {
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            } catch (IllegalArgumentException e) {
                problem(inbox.path("pattern"), inbox.line("pattern"), "\"" + pattern + "\" is not a valid glob; use"
                        + " e.g. \"*.csv\" or \"reviews-*.{csv,tsv}\"");
                pattern = null;
            }
        }
        Duration settle = inbox.duration("settle", InboxSettings.DEFAULT_SETTLE);
        if (settle != null && settle.isNegative()) {
            problem(inbox.path("settle"), inbox.line("settle"), "must not be negative; " + Units.DURATION_FORMS);
            settle = null;
        }
        if (dir == null || pattern == null || settle == null) {
            return null;
        }
        return new InboxSettings(dir, pattern, settle);
    }

    private ScheduleSettings schedule(Section top) {
        if (!top.has("schedule")) {
            return null;
        }
        Section schedule = top.optionalSection("schedule", SCHEDULE_KEYS);
        if (schedule == null) {
            return null;
        }
        String cron = schedule.requiredText("cron", "set a six-field cron expression (second minute hour day month"
                + " weekday), e.g. \"0 0 2 * * *\" for 02:00 every day");
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            int fields = cron.isBlank() ? 0 : cron.strip().split("\\s+").length;
            String why = fields == 5 && !cron.startsWith("@")
                    ? "has 5 fields; add the seconds in front (second minute hour day month weekday), e.g. \"0 "
                    + cron.strip() + "\""
                    : "is not a valid cron expression; use six fields (second minute hour day month weekday), e.g."
                    + " \"0 0 2 * * *\" for 02:00 every day, or a macro such as @daily";
            problem(schedule.path("cron"), schedule.line("cron"), "\"" + cron + "\" " + why);
            cron = null;
        }
        ZoneId zone = ZoneId.systemDefault();
        String zoneText = schedule.text("zone");
        if (zoneText == null && schedule.failed("zone")) {
            zone = null;
        } else if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText);
            } catch (RuntimeException e) {
                String suggestion = closest(zoneText, ZoneId.getAvailableZoneIds(), String::toLowerCase);
                problem(schedule.path("zone"), schedule.line("zone"), "\"" + zoneText + "\" is not a time zone; "
                        + (suggestion != null ? "did you mean " + suggestion + "? " : "")
                        + "use a region id such as Europe/Istanbul or UTC");
                zone = null;
            }
        }
        Boolean catchUp = schedule.bool("catch-up", false);
        if (cron == null || zone == null || catchUp == null) {
            return null;
        }
        return new ScheduleSettings(cron.strip(), zone, catchUp);
    }

    private NotifySettings notify(Section top) {
        if (!top.has("notify")) {
            return null;
        }
        Section notify = top.optionalSection("notify", NOTIFY_KEYS);
        if (notify == null) {
            return null;
        }
        String webhook = notify.requiredText("webhook", "set the http(s) URL that outcomes are posted to");
        URI uri = null;
        if (webhook != null) {
            // Chat webhooks carry their credential in the URL.
            Redactor.register(secret(webhook));
            uri = httpUri(webhook);
            if (uri == null) {
                problem(notify.path("webhook"), notify.line("webhook"), "is not an http(s) URL; set the URL that"
                        + " outcomes are posted to (the value is not shown: webhook URLs often carry a credential)");
            }
        }
        Boolean onSuccess = notify.bool("on-success", false);
        if (uri == null || onSuccess == null) {
            return null;
        }
        return new NotifySettings(uri, onSuccess);
    }

    private Integer maxConcurrentJobs(Section top) {
        if (!top.has("max-concurrent-jobs")) {
            return null;
        }
        Integer value = top.wholeNumber("max-concurrent-jobs", 2);
        if (value != null && value < 1) {
            problem(top.path("max-concurrent-jobs"), top.line("max-concurrent-jobs"), "must be at least 1; leave it"
                    + " out to be limited only by the worker's besworker.max-concurrent-jobs");
            return null;
        }
        return value;
    }

    // ---------------------------------------------------------------- checks

    private boolean requirePositive(Section section, String key, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            problem(section.path(key), section.line(key), "must be greater than zero; " + Units.DURATION_FORMS);
            return false;
        }
        return true;
    }

    private boolean requireOrdered(Section section, String lowKey, Duration low, String highKey, Duration high) {
        if (low.compareTo(high) > 0) {
            problem(section.path(lowKey), section.line(lowKey), Units.format(low) + " is longer than "
                    + section.path(highKey) + " (" + Units.format(high) + "); make it shorter or equal");
            return false;
        }
        return true;
    }

    private Path resolve(String path, int line, String value) {
        try {
            return workingDir.resolve(Path.of(value)).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problem(path, line, "\"" + value + "\" is not a valid path (" + e.getReason() + "); use a folder path"
                    + " relative to the working directory or absolute");
            return null;
        }
    }

    private static boolean isPortName(String name) {
        return name.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\');
    }

    static URI httpUri(String value) {
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null || uri.getHost().isEmpty()) {
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        // 127.0.0.0/8, written as a dotted quad (a name is not resolved: DNS could say anything).
        String[] octets = h.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String quoteUnlessCredentials(String value) {
        return value.contains("@") ? "the value" : "\"" + value + "\"";
    }

    // ---------------------------------------------------------------- suggestions

    /** The candidate nearest to {@code word} by edit distance, if it is near enough to be a typo. */
    static String closest(String word, Iterable<String> candidates, Function<String, String> fold) {
        String target = fold.apply(word);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = editDistance(target, fold.apply(candidate));
            if (d < bestDistance || (d == bestDistance && best != null && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, target.length() / 3);
        return bestDistance <= allowed ? best : null;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** "camelCase" and "snake_case" spellings compare as kebab-case. */
    private static String kebab(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
    }

    private String unknownKeyMessage(String sectionPath, String key, Set<String> known) {
        String prefix = sectionPath.isEmpty() ? "" : sectionPath + ".";
        String near = closest(kebab(key), known, Function.identity());
        if (near != null) {
            return "unknown key (did you mean " + prefix + near + "?)";
        }
        List<String> elsewhere = new ArrayList<>();
        for (Map.Entry<String, Set<String>> section : SECTIONS.entrySet()) {
            if (!section.getKey().equals(sectionPath) && section.getValue().contains(kebab(key))) {
                elsewhere.add(section.getKey().isEmpty() ? kebab(key) : section.getKey() + "." + kebab(key));
            }
        }
        if (!elsewhere.isEmpty()) {
            return "unknown key here (did you mean " + String.join(" or ", elsewhere) + "? check the indentation)";
        }
        return "unknown key; the keys " + (sectionPath.isEmpty() ? "at the top level" : "of " + sectionPath)
                + " are " + String.join(", ", known);
    }

    // ---------------------------------------------------------------- node access

    private static Set<String> keys(String... keys) {
        return new LinkedHashSet<>(List.of(keys));
    }

    private static Map<String, Set<String>> sections() {
        Map<String, Set<String>> sections = new LinkedHashMap<>();
        sections.put("", TOP_KEYS);
        sections.put("bes", BES_KEYS);
        sections.put("bes.retry", RETRY_KEYS);
        sections.put("input", INPUT_KEYS);
        sections.put("storage", STORAGE_KEYS);
        sections.put("poll", POLL_KEYS);
        sections.put("inbox", INBOX_KEYS);
        sections.put("schedule", SCHEDULE_KEYS);
        sections.put("notify", NOTIFY_KEYS);
        return sections;
    }

    private static int lineOf(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag() == Tag.NULL;
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "a single value";
    }

    /** A mapping, or null (with a problem) when the node is something else. */
    private Section section(String path, Node node, Set<String> known) {
        if (!(node instanceof MappingNode mapping)) {
            String expected = known == null ? "" : " (with keys " + String.join(", ", known) + ")";
            problem(path, lineOf(node), "expected a mapping" + expected + ", found " + describe(node)
                    + "; indent the keys under " + (path.isEmpty() ? "the top level" : path + ":"));
            return null;
        }
        return new Section(path, mapping, known);
    }

    /** The outcome of substituting {@code ${VAR}} references in a scalar. */
    record Substituted(String value, boolean fromEnvironment) {
    }

    /**
     * One YAML mapping being read. Reports unknown and duplicate keys when made; the accessors
     * report type errors and unresolved variables, and remember which keys failed so that a
     * caller does not add "missing" on top.
     */
    private final class Section {

        private final String path;
        private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
        private final Set<String> failed = new HashSet<>();

        Section(String path, MappingNode node, Set<String> known) {
            this.path = path;
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode scalarKey) || isNull(keyNode)) {
                    problem(path, lineOf(keyNode), "keys must be plain names, found " + describe(keyNode));
                    continue;
                }
                if (scalarKey.getTag() == Tag.MERGE) {
                    problem(path, lineOf(keyNode), "merge keys (<<) are not supported; write the keys out");
                    continue;
                }
                String key = scalarKey.getValue();
                if (known != null && !known.contains(key)) {
                    problem(path(key), lineOf(keyNode), unknownKeyMessage(path, key, known));
                    continue;
                }
                NodeTuple previous = entries.putIfAbsent(key, tuple);
                if (previous != null) {
                    problem(path(key), lineOf(keyNode), "is set twice (first on line " + lineOf(previous.getKeyNode())
                            + "); keep one");
                }
            }
        }

        String path(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        List<String> keys() {
            return List.copyOf(entries.keySet());
        }

        /** Whether the key is present with a value other than null. */
        boolean has(String key) {
            NodeTuple tuple = entries.get(key);
            return tuple != null && !isNull(tuple.getValueNode());
        }

        boolean failed(String key) {
            return failed.contains(key);
        }

        int line(String key) {
            NodeTuple tuple = entries.get(key);
            return tuple == null ? 0 : lineOf(tuple.getValueNode());
        }

        Node node(String key) {
            NodeTuple tuple = entries.get(key);
            return tuple == null || isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
        }

        Section requiredSection(String key, Set<String> known, String fix) {
            if (!has(key)) {
                problem(path(key), line(key), "missing; " + fix);
                return null;
            }
            return optionalSection(key, known);
        }

        Section optionalSection(String key, Set<String> known) {
            Node node = node(key);
            if (node == null) {
                return null;
            }
            Section section = section(path(key), node, known);
            if (section == null) {
                failed.add(key);
            }
            return section;
        }

        /** The scalar with variables substituted; null when absent, null-valued or failed (reported). */
        Substituted substituted(String key) {
            Node node = node(key);
            if (node == null) {
                return null;
            }
            if (!(node instanceof ScalarNode scalar)) {
                problem(path(key), lineOf(node), "expected a single value, found " + describe(node)
                        + "; write it on one line after the colon");
                failed.add(key);
                return null;
            }
            Substituted result = substitute(path(key), lineOf(node), scalar.getValue());
            if (result == null) {
                failed.add(key);
            }
            return result;
        }

        String text(String key) {
            Substituted s = substituted(key);
            return s == null ? null : s.value();
        }

        /** Like {@link #text} but reports a missing or empty value with the given fix. */
        String requiredText(String key, String fix) {
            if (!has(key)) {
                problem(path(key), line(key), "missing; " + fix);
                return null;
            }
            Substituted s = substituted(key);
            if (s == null) {
                return null;
            }
            if (s.value().isBlank()) {
                problem(path(key), line(key), (s.fromEnvironment() ? "is empty after substituting environment"
                        + " variables; " : "is empty; ") + fix);
                failed.add(key);
                return null;
            }
            return s.value().strip();
        }

        Duration duration(String key, Duration fallback) {
            String value = text(key);
            if (value == null) {
                return failed(key) ? null : fallback;
            }
            try {
                return Units.duration(value);
            } catch (IllegalArgumentException e) {
                problem(path(key), line(key), e.getMessage() + "; " + Units.DURATION_FORMS);
                failed.add(key);
                return null;
            }
        }

        Integer wholeNumber(String key, int fallback) {
            String value = text(key);
            if (value == null) {
                return failed(key) ? null : fallback;
            }
            if (WHOLE_NUMBER.matcher(value.strip()).matches()) {
                try {
                    return Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    // falls through to the problem below
                }
            }
            problem(path(key), line(key), "\"" + value + "\" is not a whole number; use e.g. "
                    + fallback);
            failed.add(key);
            return null;
        }

        Boolean bool(String key, boolean fallback) {
            String value = text(key);
            if (value == null) {
                return failed(key) ? null : fallback;
            }
            switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on":
                    return true;
                case "false", "no", "off":
                    return false;
                default:
                    problem(path(key), line(key), "\"" + value + "\" is not true or false; use true or false");
                    failed.add(key);
                    return null;
            }
        }

        List<Node> sequence(String key, String expected) {
            Node node = node(key);
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof SequenceNode sequence)) {
                problem(path(key), lineOf(node), "expected " + expected + ", found " + describe(node));
                failed.add(key);
                return null;
            }
            return sequence.getValue();
        }

        /** A list of single values, variables substituted; empty when absent; null when failed. */
        List<String> stringList(String key, String expected) {
            List<Node> items = sequence(key, expected);
            if (items == null) {
                return null;
            }
            List<String> values = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String itemPath = path(key) + "[" + i + "]";
                if (!(item instanceof ScalarNode scalar)) {
                    problem(itemPath, lineOf(item), "expected a single value, found " + describe(item)
                            + "; write " + expected);
                    ok = false;
                    continue;
                }
                Substituted s = isNull(item) ? new Substituted("", false)
                        : substitute(itemPath, lineOf(item), scalar.getValue());
                if (s == null) {
                    ok = false;
                } else {
                    values.add(s.value().strip());
                }
            }
            if (!ok) {
                failed.add(key);
                return null;
            }
            return values;
        }
    }

    /**
     * Replaces {@code ${VAR}} and {@code ${VAR:default}} with environment values; {@code $${}
     * writes a literal {@code ${}. A variable set to the empty string takes the default when there
     * is one. Null (with a problem, never quoting a value) when a variable is missing.
     */
    Substituted substitute(String path, int line, String raw) {
        if (raw.indexOf('$') < 0) {
            return new Substituted(raw, false);
        }
        StringBuilder out = new StringBuilder(raw.length());
        boolean fromEnvironment = false;
        boolean ok = true;
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!raw.startsWith("${", i)) {
                out.append(c);
                i++;
                continue;
            }
            int close = raw.indexOf('}', i + 2);
            if (close < 0) {
                problem(path, line, "has a ${ without a closing }; write ${NAME} or ${NAME:default}");
                return null;
            }
            String expression = raw.substring(i + 2, close);
            int colon = expression.indexOf(':');
            String variable = colon < 0 ? expression : expression.substring(0, colon);
            String fallback = colon < 0 ? null : expression.substring(colon + 1);
            if (!VARIABLE.matcher(variable).matches()) {
                problem(path, line, "has a malformed variable reference; write ${NAME} or ${NAME:default}, NAME made"
                        + " of letters, digits and _");
                ok = false;
            } else {
                String value = environment.get(variable);
                if (value == null || (value.isEmpty() && fallback != null)) {
                    if (fallback == null) {
                        problem(path, line, "environment variable " + variable + " is not set (use ${" + variable
                                + ":default} for a default)");
                        ok = false;
                    } else {
                        out.append(fallback);
                    }
                } else {
                    out.append(value);
                    fromEnvironment = true;
                }
            }
            i = close + 1;
        }
        return ok ? new Substituted(out.toString(), fromEnvironment) : null;
    }
}
