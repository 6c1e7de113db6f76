package dev.besworker.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.besworker.secrets.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DefinitionLoaderTest {

    private static final String API_KEY = "api-key-canary-7f3e9a1b2c4d";
    private static final String ACCOUNT_KEY = "c2VjcmV0LWNhbmFyeS1hY2NvdW50LWtleQ==";
    private static final String CONNECTION_STRING =
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + ACCOUNT_KEY + ";EndpointSuffix=core.windows.net";

    /** A valid definition for a real service; tests change one thing at a time. Line numbers matter. */
    private static final String BASE = """
            bes:
              endpoint: https://ussouthcentral.services.azureml.net
              workspace: 0123456789abcdef0123456789abcdef
              service: fedcba9876543210fedcba9876543210
              api-key: ${BES_API_KEY}
            input:
              name: input1
              required-columns: [Col2]
            outputs: [output1]
            storage:
              connection-string: ${AZURE_STORAGE_CONNECTION_STRING}
              container: bes-staging
            """;

    @TempDir
    Path workingDir;

    private final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void environment() {
        environment.put("BES_API_KEY", API_KEY);
        environment.put("AZURE_STORAGE_CONNECTION_STRING", CONNECTION_STRING);
    }

    // ------------------------------------------------------------------ loading

    @Test
    void sampleDefinition_loadsAndRunsEmbedded() {
        // given the shipped sample and an environment without any variables
        DefinitionLoader loader = new DefinitionLoader(Map.of(), Path.of(""));

        // when
        JobDefinition definition = loader.load(Path.of("jobs"), "book-reviews");

        // then
        Path projectDir = Path.of("").toAbsolutePath();
        assertThat(definition.name()).isEqualTo("book-reviews");
        assertThat(definition.source()).isEqualTo(projectDir.resolve("jobs/book-reviews.yml"));
        assertThat(definition.isEmbedded()).isTrue();
        assertThat(definition.bes().embedded()).isTrue();
        assertThat(definition.bes().apiKey().isEmpty()).isTrue();
        assertThat(definition.bes().workspace()).matches("[0-9a-f]{32}");
        assertThat(definition.bes().service()).matches("[0-9a-f]{32}");
        assertThat(definition.bes().requestTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(definition.input()).isEqualTo(new InputSpec("input1", List.of("Col2"), ',', 1024 * 1024));
        assertThat(definition.outputs()).containsExactly("output1");
        assertThat(definition.globalParameters()).isEmpty();
        assertThat(definition.storage().embedded()).isTrue();
        assertThat(definition.storage().container()).isEqualTo("bes-staging");
        assertThat(definition.storage().deleteStagingBlobs()).isFalse();
        assertThat(definition.storage().credentialsToBes()).isEqualTo(CredentialsToBes.SAS);
        assertThat(definition.poll()).isEqualTo(
                new PollSettings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(30)));
        assertThat(definition.outputDir()).isEqualTo(projectDir.resolve("output/book-reviews"));
        assertThat(definition.inbox()).isNull();
        assertThat(definition.schedule()).isNull();
        assertThat(definition.notification()).isNull();
    }

    @Test
    void sampleDefinition_followingItsComments_pointsAtARealService() throws IOException {
        // given the sample edited as its comments say, and the two variables exported
        String sample = Files.readString(Path.of("jobs/book-reviews.yml"), StandardCharsets.UTF_8);
        String edited = sample
                .replace("endpoint: embedded", "endpoint: https://ussouthcentral.services.azureml.net")
                .replace("# api-key: ${BES_API_KEY}", "api-key: ${BES_API_KEY}")
                .replace("connection-string: embedded", "connection-string: ${AZURE_STORAGE_CONNECTION_STRING}");
        assertThat(edited).isNotEqualTo(sample);
        write("book-reviews.yml", edited);

        // when
        JobDefinition definition = loader().load(Path.of("jobs"), "book-reviews");

        // then
        assertThat(definition.isEmbedded()).isFalse();
        assertThat(definition.bes().endpoint()).isEqualTo("https://ussouthcentral.services.azureml.net");
        assertThat(definition.bes().apiKey().reveal()).isEqualTo(API_KEY);
        assertThat(definition.storage().connectionString().reveal()).isEqualTo(CONNECTION_STRING);
    }

    @Test
    void embeddedStorage_doesNotTeachTheRedactorToMaskTheWordEmbedded() {
        // given
        DefinitionLoader loader = new DefinitionLoader(Map.of(), Path.of(""));

        // when
        JobDefinition definition = loader.load(Path.of("jobs/book-reviews.yml"));

        // then
        assertThat(definition.storage().embedded()).isTrue();
        assertThat(dev.besworker.secrets.Redactor.scrub("starting the embedded emulator"))
                .isEqualTo("starting the embedded emulator");
    }

    @Test
    void fullDefinition_readsEverySetting() throws IOException {
        // given every key set
        environment.put("APIM_KEY", "apim-subscription-canary-1234");
        write("full.yml", """
                bes:
                  endpoint: https://gateway.example.com/ml/
                  workspace: 0123456789ABCDEF0123456789abcdef
                  service: fedcba9876543210fedcba9876543210
                  api-key: ${BES_API_KEY}
                  subscription-key: ${APIM_KEY:}
                  retry: {max-attempts: 3, initial-backoff: 500ms, max-backoff: 20s, budget: 2m}
                  request-timeout: PT90S
                input:
                  name: input1
                  required-columns: [Col2, Rating]
                  delimiter: "\\t"
                  max-record-size: 512KiB
                outputs: [output1, output2]
                global-parameters: {Append score columns: "true", Threshold: 0.75, Label: 010}
                storage:
                  connection-string: ${AZURE_STORAGE_CONNECTION_STRING}
                  container: my-staging-2
                  delete-staging-blobs: true
                  credentials-to-bes: connection-string
                poll: {initial-interval: 2s, max-interval: 1m, timeout: 1d}
                output-dir: results/full
                inbox: {dir: drop/full, pattern: "*.tsv", settle: 0s}
                schedule: {cron: "0 0 2 * * *", zone: Europe/Istanbul, catch-up: true}
                notify: {webhook: "https://hooks.example/x", on-success: yes}
                """);

        // when
        JobDefinition definition = loader().load(Path.of("jobs/full.yml"));

        // then
        BesSettings bes = definition.bes();
        assertThat(bes.endpoint()).isEqualTo("https://gateway.example.com/ml");
        assertThat(bes.workspace()).isEqualTo("0123456789ABCDEF0123456789abcdef");
        assertThat(bes.apiKey().reveal()).isEqualTo(API_KEY);
        assertThat(bes.subscriptionKey().reveal()).isEqualTo("apim-subscription-canary-1234");
        assertThat(bes.retry()).isEqualTo(new RetrySettings(3, Duration.ofMillis(500), Duration.ofSeconds(20),
                Duration.ofMinutes(2)));
        assertThat(bes.requestTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(definition.input()).isEqualTo(new InputSpec("input1", List.of("Col2", "Rating"), '\t', 512 * 1024));
        assertThat(definition.outputs()).containsExactly("output1", "output2");
        // Values stay as written: 010 is not read as an octal number, 0.75 not as a double.
        assertThat(definition.globalParameters()).containsExactly(Map.entry("Append score columns", "true"),
                Map.entry("Threshold", "0.75"), Map.entry("Label", "010"));
        assertThat(definition.storage()).isEqualTo(new StorageSettings(Secret.of(CONNECTION_STRING), "my-staging-2",
                true, CredentialsToBes.CONNECTION_STRING));
        assertThat(definition.storage().embedded()).isFalse();
        assertThat(definition.isEmbedded()).isFalse();
        assertThat(definition.poll()).isEqualTo(
                new PollSettings(Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofDays(1)));
        assertThat(definition.outputDir()).isEqualTo(workingDir.resolve("results/full"));
        assertThat(definition.inbox()).isEqualTo(new InboxSettings(workingDir.resolve("drop/full"), "*.tsv",
                Duration.ZERO));
        assertThat(definition.schedule()).isEqualTo(new ScheduleSettings("0 0 2 * * *", ZoneId.of("Europe/Istanbul"),
                true));
        assertThat(definition.notification().webhook()).hasToString("https://hooks.example/x");
        assertThat(definition.notification().onSuccess()).isTrue();
    }

    @Test
    void valuesThatLookLikeNumbers_stayAsWritten() throws IOException {
        // given ids YAML would read as numbers, and parameter names no property name could carry
        write("job.yml", BASE.replace("0123456789abcdef0123456789abcdef", "01234567890123456789012345678901")
                .replace("fedcba9876543210fedcba9876543210", "1234567890123456789012345678e901")
                + "global-parameters: {'a[0]': x, 'b]': 1e10, 'C.d': 0x1F, e: -0.50}\n");

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.bes().workspace()).isEqualTo("01234567890123456789012345678901");
        assertThat(definition.bes().service()).isEqualTo("1234567890123456789012345678e901");
        assertThat(definition.globalParameters()).containsExactly(Map.entry("a[0]", "x"), Map.entry("b]", "1e10"),
                Map.entry("C.d", "0x1F"), Map.entry("e", "-0.50"));
    }

    @Test
    void optionalSettings_takeDefaults() throws IOException {
        // given only the required keys
        write("job.yml", BASE);

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.bes().subscriptionKey().isEmpty()).isTrue();
        assertThat(definition.bes().retry()).isEqualTo(RetrySettings.defaults());
        assertThat(definition.bes().requestTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(definition.input().delimiter()).isEqualTo(',');
        assertThat(definition.input().maxRecordBytes()).isEqualTo(1024 * 1024);
        assertThat(definition.storage().deleteStagingBlobs()).isFalse();
        assertThat(definition.storage().credentialsToBes()).isEqualTo(CredentialsToBes.SAS);
        assertThat(definition.poll()).isEqualTo(PollSettings.defaults());
        assertThat(definition.outputDir()).isEqualTo(workingDir.resolve("output/job"));
    }

    @Test
    void singleInputWithoutName_isInput1() throws IOException {
        // given
        write("job.yml", BASE.replace("  name: input1\n", ""));

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.input().name()).isEqualTo("input1");
    }

    @Test
    void yamlExtension_isAJobDefinitionToo() throws IOException {
        // given
        write("nightly.run.yaml", BASE);

        // when
        JobDefinition definition = loader().load(Path.of("jobs"), "nightly.run");

        // then
        assertThat(definition.name()).isEqualTo("nightly.run");
    }

    // ------------------------------------------------------------------ reading again

    @Test
    void anUnchangedDefinition_readAgain_isTheDefinitionReadBefore() throws IOException {
        // given
        write("x.yml", BASE);
        JobDefinition first = loader().load(Path.of("jobs"), "x");

        // when: another loader of the same variables and folder, as each command and step has
        JobDefinition again = loader().load(Path.of("jobs"), "x");

        // then
        assertThat(again).isSameAs(first);
    }

    @Test
    void anEditKeepingTheFilesSizeAndTime_isSeen() throws IOException {
        // given
        write("x.yml", BASE);
        Path file = workingDir.resolve("jobs/x.yml");
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(file);
        JobDefinition before = loader().load(Path.of("jobs"), "x");

        // when: one digit of the workspace changes, and the file keeps its time
        write("x.yml", BASE.replace("workspace: 0123", "workspace: 9123"));
        Files.setLastModifiedTime(file, time);
        JobDefinition after = loader().load(Path.of("jobs"), "x");

        // then
        assertThat(before.bes().workspace()).startsWith("0123");
        assertThat(after.bes().workspace()).startsWith("9123");
    }

    @Test
    void theSameFileWithOtherVariables_isBoundWithThem() throws IOException {
        // given
        write("x.yml", BASE);
        loader().load(Path.of("jobs"), "x");

        // when: a variable the definition uses is now missing
        environment.remove("BES_API_KEY");

        // then
        assertThatThrownBy(() -> loader().load(Path.of("jobs"), "x")).isInstanceOf(DefinitionException.class)
                .hasMessageContaining("bes.api-key");
    }

    // ------------------------------------------------------------------ environment

    @Test
    void variables_takeEnvironmentValuesAndDefaults() throws IOException {
        // given a variable that is set, one with an unused default, one falling back, one empty
        environment.put("REGION", "westeurope");
        environment.put("EMPTY", "");
        write("job.yml", BASE.replace("https://ussouthcentral.services.azureml.net",
                        "https://${REGION}.services.azureml.net")
                + "global-parameters:\n"
                + "  set: ${REGION:northeurope}\n"
                + "  unset: ${NOT_SET:fallback}\n"
                + "  emptyDefault: ${NOT_SET:}\n"
                + "  emptyValue: ${EMPTY:used-because-empty}\n"
                + "  escaped: $${NOT_A_VARIABLE}\n");

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.bes().endpoint()).isEqualTo("https://westeurope.services.azureml.net");
        assertThat(definition.globalParameters()).containsExactly(Map.entry("set", "westeurope"),
                Map.entry("unset", "fallback"), Map.entry("emptyDefault", ""),
                Map.entry("emptyValue", "used-because-empty"), Map.entry("escaped", "${NOT_A_VARIABLE}"));
    }

    // ------------------------------------------------------------------ one problem each

    @Test
    void malformedConnectionString_isRefusedWithoutShowingIt() throws IOException {
        // given a connection string with an account name but no key
        String malformed = "DefaultEndpointsProtocol=https;AccountName=acct;Key=" + ACCOUNT_KEY;
        environment.put("AZURE_STORAGE_CONNECTION_STRING", malformed);
        write("x.yml", BASE);

        // when
        List<String> problems = problems("x.yml");

        // then
        assertThat(problems).containsExactly("jobs/x.yml: storage.connection-string: is not a usable storage"
                + " connection string (it has DefaultEndpointsProtocol, AccountName); it needs AccountName and"
                + " AccountKey, or BlobEndpoint and SharedAccessSignature, or UseDevelopmentStorage=true, or"
                + " \"embedded\"; copy it from the portal (Storage account > Access keys) (the value is not shown)"
                + " (line 11)");
        assertThat(String.join("\n", problems)).doesNotContain(ACCOUNT_KEY).doesNotContain(malformed);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "UseDevelopmentStorage=true",
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
            "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2024-01-01&ss=b&sig=abc",
            "embedded"})
    void connectionStringForms_areAccepted(String connectionString) throws IOException {
        // given
        environment.put("AZURE_STORAGE_CONNECTION_STRING", connectionString);
        write("job.yml", BASE);

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.storage().embedded()).isEqualTo(connectionString.equals("embedded"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9000/", "http://[::1]:5000"})
    void plainHttpToLoopback_isAllowed(String endpoint) throws IOException {
        // given
        write("job.yml", BASE.replace("https://ussouthcentral.services.azureml.net", endpoint));

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then trailing slashes are dropped because the client appends /workspaces/...
        assertThat(definition.bes().endpoint()).isEqualTo(endpoint.replaceAll("/+$", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1.example.com", "http://localhost.example.com", "http://10.0.0.1"})
    void plainHttpToLookalikeHosts_isRefused(String endpoint) throws IOException {
        // given
        write("x.yml", BASE.replace("https://ussouthcentral.services.azureml.net", endpoint));

        // when
        List<String> problems = problems("x.yml");

        // then
        assertThat(problems).singleElement().asString().contains("would send the API key in clear");
    }

    @Test
    void embeddedEndpoint_needsNoIdsAndNoKey() throws IOException {
        // given
        environment.clear();
        write("job.yml", """
                bes: {endpoint: embedded}
                input: {name: input1}
                outputs: [output1]
                storage: {connection-string: embedded}
                """);

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.bes().workspace()).isEqualTo(BesSettings.EMBEDDED_WORKSPACE);
        assertThat(definition.bes().service()).isEqualTo(BesSettings.EMBEDDED_SERVICE);
        assertThat(definition.bes().apiKey().isEmpty()).isTrue();
        assertThat(definition.isEmbedded()).isTrue();
    }

    @Test
    void embeddedEndpoint_acceptsAnyUrlSafeIds() throws IOException {
        // given
        write("job.yml", BASE.replace("https://ussouthcentral.services.azureml.net", "embedded")
                .replace("0123456789abcdef0123456789abcdef", "demo-workspace"));

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.bes().workspace()).isEqualTo("demo-workspace");
        assertThat(definition.bes().apiKey().reveal()).isEqualTo(API_KEY);
        assertThat(definition.isEmbedded()).isTrue();
        assertThat(definition.storage().embedded()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "Bes-staging", "bes--staging", "-bes", "bes-", "bes_staging",
            "a123456789012345678901234567890123456789012345678901234567890123"})
    void invalidContainerName_isRefused(String container) throws IOException {
        // given
        write("x.yml", BASE.replace("container: bes-staging", "container: " + container));

        // when
        List<String> problems = problems("x.yml");

        // then
        assertThat(problems).containsExactly("jobs/x.yml: storage.container: \"" + container + "\" is not a valid"
                + " container name; use 3-63 lowercase letters, digits and single hyphens, starting and ending with a"
                + " letter or digit, e.g. bes-staging (line 12)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "b-e-s", "0staging9", "a12345678901234567890123456789012345678901234567890123456789012"})
    void validContainerName_isAccepted(String container) throws IOException {
        // given
        write("job.yml", BASE.replace("container: bes-staging", "container: " + container));

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.storage().container()).isEqualTo(container);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\t\"", "'\\t'", "\\t", "tab", "TAB"})
    void tabDelimiter_canBeWrittenSeveralWays(String written) throws IOException {
        // given
        write("job.yml", BASE.replace("  name: input1\n", "  name: input1\n  delimiter: " + written + "\n"));

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.input().delimiter()).isEqualTo('\t');
    }

    @Test
    void fileThatIsNotUtf8_isRefused() throws IOException {
        // given a Latin-1 "café"
        Path jobs = Files.createDirectories(workingDir.resolve("jobs"));
        Files.write(jobs.resolve("x.yml"), (BASE + "global-parameters: {Name: caf\u00e9}\n")
                .getBytes(StandardCharsets.ISO_8859_1));

        // when
        List<String> problems = problems("x.yml");

        // then
        assertThat(problems).containsExactly("jobs/x.yml: is not UTF-8 text; save it as UTF-8");
    }

    @Test
    void missingFile_isOneProblem() {
        // given no file

        // when
        List<String> problems = problems("absent.yml");

        // then
        assertThat(problems).containsExactly(
                "jobs/absent.yml: no such file; check the path (job definitions live in jobs/<name>.yml)");
    }

    // ------------------------------------------------------------------ many problems, secrets

    @Test
    void exceptionMessage_isTheProblemsOneLineEach() throws IOException {
        // given
        write("x.yml", BASE.replace("outputs: [output1]", "outputs: []").replace("bes-staging", "B"));

        // when
        DefinitionException e = catchThrowableOfType(DefinitionException.class,
                () -> loader().load(Path.of("jobs/x.yml")));

        // then
        assertThat(e.problems()).hasSize(2);
        assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), e.problems()));
    }

    @Test
    void secrets_neverAppearInProblemsOrToString() throws IOException {
        // given secrets in the environment, a literal one under a misspelled key, and a global
        // parameter from the environment
        String literalCanary = "literal-api-key-canary-55aa77";
        String parameterCanary = "sql-password-canary-9x8y7z";
        environment.put("SQL_PASSWORD", parameterCanary);
        String withSecrets = BASE + "global-parameters: {Database password: \"${SQL_PASSWORD}\"}\n";
        write("good.yml", withSecrets);
        write("bad.yml", withSecrets.replace("bes:\n", "bes:\n  api-kye: " + literalCanary + "\n")
                .replace("container: bes-staging", "container: X"));

        // when
        JobDefinition good = loader().load(Path.of("jobs/good.yml"));
        List<String> problems = problems("bad.yml");

        // then
        assertThat(good.globalParameters()).containsEntry("Database password", parameterCanary);
        assertThat(good.bes().apiKey().reveal()).isEqualTo(API_KEY);
        assertThat(good.toString()).doesNotContain(API_KEY, ACCOUNT_KEY, CONNECTION_STRING, parameterCanary)
                .contains("bes-staging");
        assertThat(problems).hasSize(2);
        assertThat(String.join("\n", problems)).doesNotContain(API_KEY, ACCOUNT_KEY, literalCanary, parameterCanary)
                .contains("bes.api-kye: unknown key (did you mean bes.api-key?)");
    }

    @Test
    void notifyToString_hidesTheWebhookPath() {
        // given
        NotifySettings notify = new NotifySettings(java.net.URI.create("https://hooks.example/T1/B2/webhook-canary"),
                true);

        // when
        String text = notify.toString();

        // then
        assertThat(text).isEqualTo("NotifySettings[webhook=https://hooks.example/***, onSuccess=true]");
    }

    // ------------------------------------------------------------------ inputs list, paths

    @Test
    void inputsList_givesEveryInput() throws IOException {
        // given
        write("two.yml", BASE.replace("input:\n  name: input1\n  required-columns: [Col2]\n", """
                inputs:
                  - {name: input1, required-columns: [Col2]}
                  - name: input2
                    delimiter: tab
                    max-record-size: 2048
                """));

        // when
        JobDefinition definition = loader().load(Path.of("jobs/two.yml"));

        // then
        assertThat(definition.inputs()).containsExactly(
                new InputSpec("input1", List.of("Col2"), ',', 1024 * 1024),
                new InputSpec("input2", List.of(), '\t', 2048));
        assertThatThrownBy(definition::input).isInstanceOf(IllegalStateException.class)
                .hasMessage("job two has 2 inputs (input1, input2); a single input was expected, so use inputs()");
    }

    @Test
    void relativePaths_resolveAgainstWorkingDirAndAreNormalized() throws IOException {
        // given
        Path absolute = workingDir.resolve("elsewhere/inbox").toAbsolutePath();
        write("job.yml", BASE + "output-dir: ./results/../output/./job\n"
                + "inbox: {dir: \"" + absolute + "\"}\n");

        // when
        JobDefinition definition = loader().load(Path.of("jobs/job.yml"));

        // then
        assertThat(definition.outputDir()).isEqualTo(workingDir.toAbsolutePath().resolve("output/job"));
        assertThat(definition.inbox()).isEqualTo(new InboxSettings(absolute, "*.csv", Duration.ofSeconds(10)));
    }

    // ------------------------------------------------------------------ load by name, loadAll

    @Test
    void loadAll_reportsValidAndInvalidFilesSorted() throws IOException {
        // given
        write("b-valid.yml", BASE);
        write("a-broken.yaml", BASE.replace("outputs: [output1]", "outputs: []"));
        write("c-syntax.yml", "bes: [unclosed\n");
        write("notes.txt", "not a definition");
        write("twin.yml", BASE);
        write("twin.yaml", BASE);

        // when
        List<DefinitionLoader.Entry> entries = loader().loadAll(Path.of("jobs"));

        // then
        assertThat(entries).extracting(DefinitionLoader.Entry::name)
                .containsExactly("a-broken", "b-valid", "c-syntax", "twin", "twin");
        assertThat(entries.get(0).definition()).isNull();
        assertThat(entries.get(0).problems()).containsExactly(
                "jobs/a-broken.yaml: outputs: is empty; list the service's output names, e.g. [output1] (line 9)");
        assertThat(entries.get(1).valid()).isTrue();
        assertThat(entries.get(1).problems()).isEmpty();
        assertThat(entries.get(1).file()).isEqualTo(workingDir.resolve("jobs/b-valid.yml"));
        assertThat(entries.get(2).valid()).isFalse();
        assertThat(entries.get(2).problems()).singleElement().asString()
                .startsWith("jobs/c-syntax.yml: line 2, column 1: YAML syntax error: ");
        assertThat(entries.get(3).problems()).containsExactly("jobs/twin.yaml: another file also defines a job named"
                + " twin (twin.yml and twin.yaml); keep one");
        assertThat(entries.get(4).valid()).isFalse();
    }

    @Test
    void loadAll_ofMissingFolder_isEmpty() {
        // given no jobs folder

        // when
        List<DefinitionLoader.Entry> entries = loader().loadAll(Path.of("jobs"));

        // then
        assertThat(entries).isEmpty();
    }

    @Test
    void loadByUnknownName_listsTheAvailableJobs() throws IOException {
        // given
        write("alpha.yml", BASE);
        write("beta.yaml", BASE);

        // when
        DefinitionException e = catchThrowableOfType(DefinitionException.class,
                () -> loader().load(Path.of("jobs"), "gamma"));

        // then
        assertThat(e.problems()).containsExactly("jobs: no job named gamma (looked for gamma.yml and gamma.yaml);"
                + " available: alpha, beta");
    }

    @Test
    void loadByName_refusesPathsAsNames() {
        // given a name that would leave the jobs folder

        // when
        DefinitionException e = catchThrowableOfType(DefinitionException.class,
                () -> loader().load(Path.of("jobs"), "../secrets"));

        // then
        assertThat(e.problems()).singleElement().asString().startsWith("\"../secrets\" is not a job name;");
    }

    // ------------------------------------------------------------------ withers

    @Test
    void withers_substituteEndpointAndStorageInACopy() throws IOException {
        // given the embedded sample
        JobDefinition sample = new DefinitionLoader(Map.of(), Path.of("")).load(Path.of("jobs/book-reviews.yml"));
        Secret key = Secret.of("emulator-key-canary-0001");
        Secret azurite = Secret.of(CONNECTION_STRING);

        // when
        JobDefinition running = sample.withEndpoint("http://127.0.0.1:4567", key).withStorage(azurite);

        // then
        assertThat(running.bes().endpoint()).isEqualTo("http://127.0.0.1:4567");
        assertThat(running.bes().apiKey()).isEqualTo(key);
        assertThat(running.bes().workspace()).isEqualTo(sample.bes().workspace());
        assertThat(running.storage().connectionString()).isEqualTo(azurite);
        assertThat(running.storage().container()).isEqualTo("bes-staging");
        assertThat(running.isEmbedded()).isFalse();
        assertThat(running.poll()).isEqualTo(sample.poll());
        assertThat(sample.isEmbedded()).isTrue();
    }

    @Test
    void maxConcurrentJobs_isReadWhenGivenAndAbsentOtherwise() throws IOException {
        // given
        write("limited.yml", BASE + "max-concurrent-jobs: 3\n");
        write("unlimited.yml", BASE);

        // when
        JobDefinition limited = loader().load(Path.of("jobs", "limited.yml"));
        JobDefinition unlimited = loader().load(Path.of("jobs", "unlimited.yml"));

        // then
        assertThat(limited.maxConcurrentJobs()).isEqualTo(3);
        assertThat(limited.withEndpoint("http://127.0.0.1:1", Secret.of("k")).maxConcurrentJobs()).isEqualTo(3);
        assertThat(unlimited.maxConcurrentJobs()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-2" })
    void maxConcurrentJobsBelowOne_isRefused(String value) throws IOException {
        // given
        write("x.yml", BASE + "max-concurrent-jobs: " + value + "\n");

        // when
        List<String> problems = problems("x.yml");

        // then
        assertThat(problems).containsExactly("jobs/x.yml: max-concurrent-jobs: must be at least 1; leave it out to be"
                + " limited only by the worker's besworker.max-concurrent-jobs (line 13)");
    }

    // ------------------------------------------------------------------ refused, one case each

    /**
     * A definition that is refused, and every problem line it gets, exactly: these lines are what
     * users see. The file is written to {@code jobs/x.yml} unless {@link #in} says otherwise;
     * {@link #environment} changes the environment first.
     */
    record Refused(String behaviour, String content, List<String> problems, String file,
            List<Consumer<Map<String, String>>> changes) {

        Refused in(String otherFile) {
            return new Refused(behaviour, content, problems, otherFile, changes);
        }

        Refused environment(Consumer<Map<String, String>> change) {
            List<Consumer<Map<String, String>>> all = new ArrayList<>(changes);
            all.add(change);
            return new Refused(behaviour, content, problems, file, all);
        }

        @Override
        public String toString() {
            return behaviour;
        }
    }

    private static Refused refused(String behaviour, String content, String... problems) {
        return new Refused(behaviour, content, List.of(problems), "x.yml", List.of());
    }

    static List<Refused> refusedDefinitions() {
        return List.of(
                refused("missingVariable_isOneProblemNamingTheVariable", BASE,
                        "jobs/job.yml: bes.api-key: environment variable BES_API_KEY is not set (use"
                                + " ${BES_API_KEY:default} for a default) (line 5)")
                        .in("job.yml")
                        .environment(env -> env.remove("BES_API_KEY")),
                refused("requiredValueEmptyAfterSubstitution_saysSo", BASE,
                        "jobs/job.yml: bes.api-key: is empty after substituting environment variables; set it"
                                + " to ${BES_API_KEY} and export the service's API key as BES_API_KEY (line 5)")
                        .in("job.yml")
                        .environment(env -> env.put("BES_API_KEY", "")),
                refused("unterminatedVariable_isRefused", BASE.replace("${BES_API_KEY}", "${BES_API_KEY"),
                        "jobs/x.yml: bes.api-key: has a ${ without a closing }; write ${NAME} or"
                                + " ${NAME:default} (line 5)"),
                refused("malformedVariableName_isRefused",
                        BASE.replace("${AZURE_STORAGE_CONNECTION_STRING}", "${AZURE-STORAGE}"),
                        "jobs/x.yml: storage.connection-string: has a malformed variable reference; write"
                                + " ${NAME} or ${NAME:default}, NAME made of letters, digits and _ (line 11)"),
                refused("missingEndpoint_namesKeyAndFix",
                        BASE.replace("  endpoint: https://ussouthcentral.services.azureml.net\n", ""),
                        "jobs/x.yml: bes.endpoint: missing; set the service root URL, a gateway URL or"
                                + " \"embedded\""),
                refused("misspelledKey_suggestsTheKnownOne", BASE + "  delete-staging-blob: true\n",
                        "jobs/x.yml: storage.delete-staging-blob: unknown key (did you mean"
                                + " storage.delete-staging-blobs?) (line 13)"),
                refused("misspelledRequiredKey_reportsTheTypoAndTheMissingKey",
                        BASE.replace("connection-string:", "conection-string:"),
                        "jobs/x.yml: storage.conection-string: unknown key (did you mean"
                                + " storage.connection-string?) (line 11)",
                        "jobs/x.yml: storage.connection-string: missing; set it to"
                                + " ${AZURE_STORAGE_CONNECTION_STRING} (and export the storage account's connection"
                                + " string) or to \"embedded\""),
                // api-key written at the top level instead of under bes
                refused("keyInTheWrongSection_pointsToWhereItBelongs", BASE + "api-key: ${BES_API_KEY}\n",
                        "jobs/x.yml: api-key: unknown key here (did you mean bes.api-key? check the"
                                + " indentation) (line 13)"),
                refused("unrelatedUnknownKey_listsTheKnownKeys", BASE.replace("bes:\n", "bes:\n  colour: blue\n"),
                        "jobs/x.yml: bes.colour: unknown key; the keys of bes are endpoint, workspace,"
                                + " service, api-key, subscription-key, retry, request-timeout (line 2)"),
                refused("camelCaseKey_suggestsKebabCase", BASE + "outputDir: out\n",
                        "jobs/x.yml: outputDir: unknown key (did you mean output-dir?) (line 13)"),
                refused("duplicateKey_isReportedWithBothLines", BASE + "outputs: [output2]\n",
                        "jobs/x.yml: outputs: is set twice (first on line 9); keep one (line 13)"),
                refused("endpointThatIsNotAUrl_isRefused",
                        BASE.replace("https://ussouthcentral.services.azureml.net", "ftp://bes.example.com"),
                        "jobs/x.yml: bes.endpoint: \"ftp://bes.example.com\" is not an http(s) URL; set the"
                                + " service root URL, a gateway URL or \"embedded\", e.g."
                                + " https://ussouthcentral.services.azureml.net (line 2)"),
                refused("plainHttpToAnotherHost_isRefused",
                        BASE.replace("https://ussouthcentral.services.azureml.net", "http://bes.example.com:8080"),
                        "jobs/x.yml: bes.endpoint: http:// to bes.example.com would send the API key in"
                                + " clear; use https:// (plain http is allowed only for localhost, 127.x.x.x and [::1])"
                                + " (line 2)"),
                refused("fullServiceUrlAsEndpoint_asksForTheRootOnly",
                        BASE.replace("https://ussouthcentral.services.azureml.net", "https://ussouthcentral.services"
                                + ".azureml.net/workspaces/0123456789abcdef0123456789abcdef/services/fedcba9876543210fedcba9876543210"
                                + "/jobs"),
                        "jobs/x.yml: bes.endpoint: includes /workspaces/...; set only the service root"
                                + " (https://host, plus a gateway's path if any) and put the ids into bes.workspace and"
                                + " bes.service (line 2)"),
                refused("workspaceThatIsNotHex_isRefused",
                        BASE.replace("0123456789abcdef0123456789abcdef", "my-workspace"),
                        "jobs/x.yml: bes.workspace: \"my-workspace\" is not a workspace id; it must be 32"
                                + " hexadecimal characters (the part after /workspaces/ in the service's request URL)"
                                + " (line 3)"),
                refused("missingApiKeyForARealService_isRefused", BASE.replace("  api-key: ${BES_API_KEY}\n", ""),
                        "jobs/x.yml: bes.api-key: missing; set it to ${BES_API_KEY} and export the service's"
                                + " API key as BES_API_KEY"),
                refused("emptyOutputs_isRefused", BASE.replace("outputs: [output1]", "outputs: []"),
                        "jobs/x.yml: outputs: is empty; list the service's output names, e.g. [output1] (line"
                                + " 9)"),
                refused("duplicateOutputName_isRefused",
                        BASE.replace("outputs: [output1]", "outputs: [output1, output1]"),
                        "jobs/x.yml: outputs: lists \"output1\" twice; list each output once (line 9)"),
                refused("pollIntervalsOutOfOrder_isRefused", BASE + "poll: {initial-interval: 2m, max-interval: 1m}\n",
                        "jobs/x.yml: poll.initial-interval: 2m is longer than poll.max-interval (1m); make it"
                                + " shorter or equal (line 13)"),
                refused("zeroPollTimeout_isRefused", BASE + "poll:\n  timeout: 0s\n",
                        "jobs/x.yml: poll.timeout: must be greater than zero; use e.g. 500ms, 2s, 10m, 6h, 1d"
                                + " or PT2S (line 14)"),
                refused("durationWithoutUnit_isRefused", BASE.replace("bes:\n", "bes:\n  request-timeout: 30\n"),
                        "jobs/x.yml: bes.request-timeout: \"30\" has no unit; use e.g. 500ms, 2s, 10m, 6h, 1d"
                                + " or PT2S (line 2)"),
                refused("badRetrySettings_areEachReported",
                        BASE.replace("bes:\n", "bes:\n  retry: {max-attempts: 0, initial-backoff: 2m, max-backoff: 1m}\n"),
                        "jobs/x.yml: bes.retry.max-attempts: must be at least 1 (1 means no retries) (line 2)",
                        "jobs/x.yml: bes.retry.initial-backoff: 2m is longer than bes.retry.max-backoff (1m);"
                                + " make it shorter or equal (line 2)"),
                refused("longDelimiter_isRefused",
                        BASE.replace("  name: input1\n", "  name: input1\n  delimiter: ab\n"),
                        "jobs/x.yml: input.delimiter: \"ab\" is not a single character; use a single"
                                + " character, e.g. \",\" or \";\", or \"\\t\" (or tab) for tab-separated files (line"
                                + " 8)"),
                refused("badRecordSize_isRefused",
                        BASE.replace("  name: input1\n", "  name: input1\n  max-record-size: 1 parsec\n"),
                        "jobs/x.yml: input.max-record-size: \"1 parsec\" has an unknown unit \"parsec\"; use"
                                + " bytes (1048576) or a unit, e.g. 512KiB or 1MiB (line 8)"),
                refused("fiveFieldCron_asksForSeconds", BASE + "schedule: {cron: \"0 2 * * *\"}\n",
                        "jobs/x.yml: schedule.cron: \"0 2 * * *\" has 5 fields; add the seconds in front"
                                + " (second minute hour day month weekday), e.g. \"0 0 2 * * *\" (line 13)"),
                refused("unknownZone_suggestsTheNearestOne",
                        BASE + "schedule: {cron: \"@daily\", zone: Europe/Istambul}\n",
                        "jobs/x.yml: schedule.zone: \"Europe/Istambul\" is not a time zone; did you mean"
                                + " Europe/Istanbul? use a region id such as Europe/Istanbul or UTC (line 13)"),
                refused("webhookThatIsNotAUrl_isRefusedWithoutShowingIt",
                        BASE + "notify: {webhook: hooks.example/T000/B000/canary-webhook-token}\n",
                        "jobs/x.yml: notify.webhook: is not an http(s) URL; set the URL that outcomes are"
                                + " posted to (the value is not shown: webhook URLs often carry a credential) (line 13)"),
                refused("inputAndInputsTogether_isRefused", BASE + "inputs: [{name: input2}]\n",
                        "jobs/x.yml: inputs: both input and inputs are set; keep one (input for a single"
                                + " input, inputs for a list of several) (line 13)"),
                // an empty item must not end the list: the items after it are read too
                refused("inputsListWithAnEmptyItem_reportsItAndReadsTheRest",
                        BASE.replace("input:\n  name: input1\n  required-columns: [Col2]\n",
                                "inputs: [{}, {name: input2}, {name: input2, delimiter: ab}]\n"),
                        "jobs/x.yml: inputs[0].name: missing; each of several inputs needs the service's input"
                                + " name, e.g. name: input1 (line 6)",
                        "jobs/x.yml: inputs[2].delimiter: \"ab\" is not a single character; use a single"
                                + " character, e.g. \",\" or \";\", or \"\\t\" (or tab) for tab-separated files (line 6)"),
                refused("noInput_isRefused", BASE.replace("input:\n  name: input1\n  required-columns: [Col2]\n", ""),
                        "jobs/x.yml: input: missing; add input: {name: input1, required-columns: [...]} (or"
                                + " inputs: [...] for a service with several inputs)"),
                refused("sectionWrittenAsAValue_isRefused", BASE + "poll: 5s\n",
                        "jobs/x.yml: poll: expected a mapping (with keys initial-interval, max-interval,"
                                + " timeout), found a single value; indent the keys under poll: (line 13)"),
                // a value containing ": " without quotes on line 4
                refused("yamlSyntaxError_isOneLineWithLineAndColumn",
                        BASE.replace("  service: fedcba9876543210fedcba9876543210",
                        "  service: fedcba: 9876543210fedcba9876543210"),
                        "jobs/x.yml: line 4, column 18: YAML syntax error: mapping values are not allowed"
                                + " here; check the indentation (spaces, not tabs) and quote values that contain \":"
                                + " \", \" #\" or start with a special character"),
                refused("emptyFile_isRefused", "# nothing yet\n",
                        "jobs/x.yml: the file is empty; start from jobs/book-reviews.yml, which shows every"
                                + " setting"),
                refused("listWhereAValueBelongs_isRefused",
                        BASE.replace("container: bes-staging", "container: [bes-staging]"),
                        "jobs/x.yml: storage.container: expected a single value, found a list; write it on"
                                + " one line after the colon (line 12)"),
                refused("invalidFileName_isRefused", BASE,
                        "jobs/my job.yml: file name: \"my job\" is not a valid job name; rename the file"
                                + " using letters, digits, '.', '_' and '-', starting with a letter or digit")
                        .in("my job.yml"),
                // five unrelated mistakes and an unset variable
                refused("manyProblems_areAllReportedInFileOrder", """
                        bes:
                          endpoint: http://bes.example.com
                          workspace: 0123456789abcdef0123456789abcdef
                          service: short
                          api-key: ${BES_API_KEY}
                        input:
                          name: input1
                          delimiter: ";;"
                        outputs: []
                        storage:
                          connection-string: ${AZURE_STORAGE_CONNECTION_STRING}
                          container: Staging
                        poll: {initial-interval: 1m, max-interval: 10s}
                        """,
                        "jobs/x.yml: bes.endpoint: http:// to bes.example.com would send the API key in"
                                + " clear; use https:// (plain http is allowed only for localhost, 127.x.x.x and [::1])"
                                + " (line 2)",
                        "jobs/x.yml: bes.service: \"short\" is not a service id; it must be 32 hexadecimal"
                                + " characters (the part after /services/ in the service's request URL) (line 4)",
                        "jobs/x.yml: input.delimiter: \";;\" is not a single character; use a single"
                                + " character, e.g. \",\" or \";\", or \"\\t\" (or tab) for tab-separated files (line"
                                + " 8)",
                        "jobs/x.yml: outputs: is empty; list the service's output names, e.g. [output1] (line"
                                + " 9)",
                        "jobs/x.yml: storage.connection-string: environment variable"
                                + " AZURE_STORAGE_CONNECTION_STRING is not set (use"
                                + " ${AZURE_STORAGE_CONNECTION_STRING:default} for a default) (line 11)",
                        "jobs/x.yml: storage.container: \"Staging\" is not a valid container name; use 3-63"
                                + " lowercase letters, digits and single hyphens, starting and ending with a letter or"
                                + " digit, e.g. bes-staging (line 12)",
                        "jobs/x.yml: poll.initial-interval: 1m is longer than poll.max-interval (10s); make"
                                + " it shorter or equal (line 13)")
                        .environment(env -> env.remove("AZURE_STORAGE_CONNECTION_STRING")),
                refused("inputsList_needsUniqueNames",
                        BASE.replace("input:\n  name: input1\n  required-columns: [Col2]\n", """
                        inputs:
                          - {name: input1}
                          - {required-columns: [Col2]}
                          - {name: input1}
                        """),
                        "jobs/x.yml: inputs[1].name: missing; each of several inputs needs the service's"
                                + " input name, e.g. name: input2 (line 8)",
                        "jobs/x.yml: inputs[2].name: \"input1\" is already the name of inputs[0]; input names"
                                + " must be unique (line 9)"),
                refused("inboxSameAsOutputDir_isRefused", BASE + "output-dir: out\ninbox: {dir: ./out/}\n",
                        "jobs/x.yml: inbox.dir: is the same folder as output-dir, so results would be taken"
                                + " as new inputs; use separate folders (line 14)"),
                refused("maxConcurrentJobsThatIsNotANumber_isRefused", BASE + "max-concurrent-jobs: many\n",
                        "jobs/x.yml: max-concurrent-jobs: \"many\" is not a whole number; use e.g. 2 (line"
                                + " 13)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedDefinitions")
    void refusedDefinition_reportsEveryProblemExactly(Refused definition) throws IOException {
        // given
        definition.changes().forEach(change -> change.accept(environment));
        write(definition.file(), definition.content());

        // when
        List<String> problems = problems(definition.file());

        // then
        assertThat(problems).containsExactlyElementsOf(definition.problems());
    }

    // ------------------------------------------------------------------ helpers

    private DefinitionLoader loader() {
        return new DefinitionLoader(environment, workingDir);
    }

    private void write(String fileName, String content) throws IOException {
        Path jobs = Files.createDirectories(workingDir.resolve("jobs"));
        Files.writeString(jobs.resolve(fileName), content, StandardCharsets.UTF_8);
    }

    private List<String> problems(String fileName) {
        DefinitionException e = catchThrowableOfType(DefinitionException.class,
                () -> loader().load(Path.of("jobs", fileName)));
        assertThat(e).as("loading %s should fail", fileName).isNotNull();
        return e.problems();
    }
}
