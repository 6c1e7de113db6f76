package dev.besworker.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;

import dev.besworker.embedded.AzuriteProcess;
import tools.jackson.databind.JsonNode;

/** Whole jobs against a real Azurite: submit, start, poll, read the result through its SAS URL. */
class BesEmulatorJobsTest {

    static final String KEY = "jobs-test-api-key-0001";
    static final String HEADER = "Col1,Col2,Col2_HashingFeature.0,Col2_HashingFeature.1,Col2_HashingFeature.2,"
            + "Col2_HashingFeature.3,Col2_HashingFeature.4,Col2_HashingFeature.5,Col2_HashingFeature.6,"
            + "Col2_HashingFeature.7\r\n";

    static AzuriteProcess azurite;
    static BlobServiceClient blobs;
    static BesEmulator emulator;
    static EmulatorHttp http;

    BlobContainerClient container;

    @BeforeAll
    static void start() throws IOException {
        azurite = AzuriteProcess.start(null);
        blobs = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient();
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        http = new EmulatorHttp(emulator.baseUri(), KEY);
    }

    @AfterAll
    static void stop() {
        if (emulator != null) {
            emulator.close();
        }
        if (azurite != null) {
            // In-memory data needs no graceful stop, and Azurite's own stop waits for the SDK's
            // keep-alive connections to drop (about 10 s); so end our child at once.
            ProcessHandle.of(azurite.pid()).ifPresent(ProcessHandle::destroyForcibly);
            azurite.close();
        }
    }

    @BeforeEach
    void freshContainer() {
        http.admin("POST", "reset", null);
        container = blobs.getBlobContainerClient("c" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
        container.create();
    }

    private void upload(String blob, String content) {
        container.getBlobClient(blob).upload(BinaryData.fromString(content), true);
    }

    private String download(String blob) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        container.getBlobClient(blob).downloadStream(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private String keyRef(String location) {
        return "{\"ConnectionString\":\"" + azurite.connectionString() + "\",\"RelativeLocation\":\"" + location + "\"}";
    }

    private String sasRef(String blob, String sas) {
        return "{\"BaseLocation\":\"" + azurite.blobEndpoint() + "/\",\"RelativeLocation\":\"" + container.getBlobContainerName()
                + "/" + blob + "\",\"SasBlobToken\":\"?" + sas + "\"}";
    }

    private String blobSas(String blob, BlobSasPermission permission) {
        return container.getBlobClient(blob).generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now(ZoneOffset.UTC).plusHours(1), permission));
    }

    private JsonNode runJob(String body) {
        String id = http.submit(body);
        assertThat(http.start(id).statusCode()).isEqualTo(200);
        return http.awaitEnd(id);
    }

    @Test
    void publishedExample_throughBatchJob_writesExactOutputBlob() {
        // given
        upload("in/data.csv", "Col1,Col2\r\n1,This is a good day\r\n2,\r\n");
        String name = container.getBlobContainerName();

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/in/data.csv") + "},"
                + "\"Outputs\":{\"output1\":" + keyRef(name + "/out/result.csv") + "},\"GlobalParameters\":{}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Finished");
        assertThat(status.get("Details").isNull()).isTrue();
        JsonNode result = status.get("Results").get("output1");
        assertThat(result.get("ConnectionString").isNull()).isTrue();
        assertThat(result.get("RelativeLocation").asString()).isEqualTo(name + "/out/result.csv");
        assertThat(result.get("BaseLocation").asString()).isEqualTo(azurite.blobEndpoint() + "/");
        assertThat(download("out/result.csv")).isEqualTo(HEADER
                + "1,This is a good day,1,1,2,2,0,2,0,1\r\n"
                + "2,,0,0,0,0,0,0,0,0\r\n");
        assertThat(http.counters().get("starts").asInt()).isEqualTo(1);
    }

    @Test
    void resultSasUrl_readsTheOutput_andIsReadOnlyAndBlobScoped() {
        // given
        upload("data.csv", "Col1,Col2\n1,This is a good day\n");
        String name = container.getBlobContainerName();
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/data.csv") + "},"
                + "\"Outputs\":{\"output1\":" + keyRef(name + "/result.csv") + "}}");
        String sas = status.get("Results").get("output1").get("SasBlobToken").asString();
        URI url = EmulatorHttp.resultUri(status, "output1");

        // when
        HttpResponse<String> read = http.fetch(url);
        HttpResponse<String> otherBlob = http.fetch(URI.create(url.toString().replace("/result.csv?", "/data.csv?")));

        // then
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(HEADER + "1,This is a good day,1,1,2,2,0,2,0,1\r\n");
        assertThat(sas).startsWith("?").contains("sr=b", "sp=r", "sig=");
        OffsetDateTime expiry = OffsetDateTime.parse(java.net.URLDecoder.decode(
                sas.replaceAll(".*[?&]se=([^&]+).*", "$1"), StandardCharsets.UTF_8));
        assertThat(expiry).isAfter(OffsetDateTime.now().plusHours(23)).isBefore(OffsetDateTime.now().plusHours(25));
        assertThat(otherBlob.statusCode()).isEqualTo(403);
    }

    @Test
    void sasReferences_forInputAndOutput_work() {
        // given
        upload("in.csv", "Col2\nThis is a good day\n");
        String inSas = blobSas("in.csv", new BlobSasPermission().setReadPermission(true));
        String outSas = blobSas("out.csv", new BlobSasPermission().setWritePermission(true).setCreatePermission(true)
                .setReadPermission(true));

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + sasRef("in.csv", inSas) + "},"
                + "\"Outputs\":{\"output1\":" + sasRef("out.csv", outSas) + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).as(status.toString()).isEqualTo("Finished");
        assertThat(download("out.csv")).endsWith("This is a good day,1,1,2,2,0,2,0,1\r\n");
        assertThat(http.fetch(EmulatorHttp.resultUri(status, "output1")).statusCode()).isEqualTo(200);
    }

    @Test
    void noOutputOverride_writesRandomBlobInInputContainer() {
        // given
        upload("in/data.csv", "Col2\nThis is a good day\n");
        String name = container.getBlobContainerName();

        // when
        JsonNode first = runJob("{\"Inputs\":{\"input1\":" + keyRef("/" + name + "/in/data.csv") + "}}");
        JsonNode second = runJob("{\"Input\":" + keyRef(name + "/in/data.csv") + "}");

        // then
        String firstLocation = first.get("Results").get("output1").get("RelativeLocation").asString();
        String secondLocation = second.get("Results").get("output1").get("RelativeLocation").asString();
        assertThat(firstLocation).startsWith(name + "/").endsWith(".csv").isNotEqualTo(secondLocation);
        assertThat(http.fetch(EmulatorHttp.resultUri(first, "output1")).body())
                .endsWith("This is a good day,1,1,2,2,0,2,0,1\r\n");
        assertThat(http.counters().get("submitsByInput").get(name + "/in/data.csv").asInt()).isEqualTo(2);
    }

    @Test
    void readOnlySasInputWithoutOverride_cannotWriteNextToIt() {
        // given
        upload("in.csv", "Col2\nday\n");
        String inSas = blobSas("in.csv", new BlobSasPermission().setReadPermission(true));

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + sasRef("in.csv", inSas) + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Failed");
        assertThat(status.get("Details").asString()).contains("Module: Writer", "Fix: give an output override");
    }

    @Test
    void readOnlySasInputWithoutOverride_goesToDefaultStorageWhenConfigured() {
        // given
        upload("in.csv", "Col2\nThis is a good day\n");
        String inSas = blobSas("in.csv", new BlobSasPermission().setReadPermission(true));
        try (BesEmulator withStorage = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY)
                .withDefaultStorageConnectionString(azurite.connectionString()))) {
            EmulatorHttp storageHttp = new EmulatorHttp(withStorage.baseUri(), KEY);
            String id = storageHttp.submit("{\"Inputs\":{\"input1\":" + sasRef("in.csv", inSas) + "}}");
            storageHttp.start(id);

            // when
            JsonNode status = storageHttp.awaitEnd(id);

            // then
            assertThat(status.get("StatusCode").asString()).as(status.toString()).isEqualTo("Finished");
            assertThat(status.get("Results").get("output1").get("RelativeLocation").asString())
                    .startsWith(container.getBlobContainerName() + "/");
            assertThat(storageHttp.fetch(EmulatorHttp.resultUri(status, "output1")).body())
                    .endsWith("This is a good day,1,1,2,2,0,2,0,1\r\n");
        }
    }

    @Test
    void tsvOutputOverride_writesTabSeparated() {
        // given
        upload("in.csv", "Col2\nThis is a good day\n");
        String name = container.getBlobContainerName();

        // when
        runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "},\"Outputs\":{\"output1\":"
                + keyRef(name + "/out.tsv") + "}}");

        // then
        assertThat(download("out.tsv")).endsWith("This is a good day\t1\t1\t2\t2\t0\t2\t0\t1\r\n");
    }

    @Test
    void missingInputBlob_failsWithReaderDetails() {
        // given
        String name = container.getBlobContainerName();

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/absent.csv") + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Failed");
        assertThat(status.get("Results").isNull()).isTrue();
        assertThat(status.get("Details").asString()).startsWith("Module: Reader;")
                .contains("taskStatusCode=400", "Error 0030", "BlobNotFound", name + "/absent.csv")
                .doesNotContain(AzuriteProcess.ACCOUNT_KEY);
    }

    @Test
    void inputWithoutTextColumn_failsNamingTheColumn() {
        // given
        upload("in.csv", "text\nThis is a good day\n");
        String name = container.getBlobContainerName();

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "},\"Outputs\":{\"output1\":"
                + keyRef(name + "/out.csv") + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Failed");
        assertThat(status.get("Details").asString()).contains("Module: Feature Hashing", "Error 0001", "\"Col2\"");
        assertThat(container.getBlobClient("out.csv").exists()).isFalse();
    }

    @Test
    void unparseableCsv_failsWithParseError() {
        // given
        upload("in.csv", "Col2\n\"never closed\n");
        String name = container.getBlobContainerName();

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Failed");
        assertThat(status.get("Details").asString()).contains("Module: Reader", "Error 1000", "Cannot parse input");
    }

    @Test
    void readOnlyOutputSas_failsWithWriterDetails() {
        // given
        upload("in.csv", "Col2\nday\n");
        String readOnly = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                new BlobContainerSasPermission().setReadPermission(true)));

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + sasRef("in.csv", readOnly) + "},\"Outputs\":{\"output1\":"
                + sasRef("out.csv", readOnly) + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Failed");
        assertThat(status.get("Details").asString()).contains("Module: Writer", "out.csv", "403").doesNotContain("sig=");
    }

    @Test
    void jobDuration_keepsJobRunningWhilePolled() {
        // given
        upload("in.csv", "Col2\nday\n");
        String name = container.getBlobContainerName();
        http.admin("POST", "behaviour", "{\"jobDurationMillis\":1500}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "}}");
        List<String> seen = new ArrayList<>();
        seen.add(http.status(id).get("StatusCode").asString());
        http.start(id);

        // when
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            String state = http.status(id).get("StatusCode").asString();
            if (!state.equals(seen.get(seen.size() - 1))) {
                seen.add(state);
            }
            return state.equals("Finished") || state.equals("Failed");
        });

        // then
        assertThat(seen).containsExactly("NotStarted", "Running", "Finished");
    }

    @Test
    void expiredSasBehaviour_givesExpiredTokenFirst_thenAFreshOne() {
        // given
        upload("in.csv", "Col2\nThis is a good day\n");
        String name = container.getBlobContainerName();
        http.admin("POST", "behaviour", "{\"expiredSas\":true}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "}}");
        http.start(id);
        JsonNode first = http.awaitEnd(id);

        // when
        HttpResponse<String> withExpired = http.fetch(EmulatorHttp.resultUri(first, "output1"));
        HttpResponse<String> withFresh = http.fetch(EmulatorHttp.resultUri(http.status(id), "output1"));

        // then
        assertThat(withExpired.statusCode()).isEqualTo(403);
        assertThat(withFresh.statusCode()).isEqualTo(200);
        assertThat(withFresh.body()).endsWith("This is a good day,1,1,2,2,0,2,0,1\r\n");
    }

    @Test
    void legacyStatusBehaviour_sendsNumericStatusAndSingleResult() {
        // given
        upload("in.csv", "Col2\nThis is a good day\n");
        String name = container.getBlobContainerName();
        http.admin("POST", "behaviour", "{\"numericStatusCode\":true,\"legacyResult\":true}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "}}");
        JsonNode before = http.status(id);
        http.start(id);

        // when
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25))
                .until(() -> http.status(id).get("StatusCode").asInt() >= 2);
        JsonNode end = http.status(id);

        // then
        assertThat(before.toString()).isEqualTo("{\"StatusCode\":0,\"Result\":null,\"Details\":null}");
        assertThat(end.get("StatusCode").isNumber()).isTrue();
        assertThat(end.get("StatusCode").asInt()).isEqualTo(4);
        assertThat(end.has("Results")).isFalse();
        URI url = URI.create(end.get("Result").get("BaseLocation").asString() + end.get("Result").get("RelativeLocation").asString()
                + end.get("Result").get("SasBlobToken").asString());
        assertThat(http.fetch(url).body()).endsWith("This is a good day,1,1,2,2,0,2,0,1\r\n");
    }

    @Test
    void manyRows_streamThroughWithEveryRowHashed() {
        // given
        StringBuilder input = new StringBuilder("Col1,Col2\n");
        for (int i = 0; i < 20_000; i++) {
            input.append(i).append(",\"row ").append(i).append(" has, some \"\"quoted\"\" text\"\n");
        }
        upload("big.csv", input.toString());
        String name = container.getBlobContainerName();
        FeatureHasher hasher = new FeatureHasher(3, 2);

        // when
        JsonNode status = runJob("{\"Inputs\":{\"input1\":" + keyRef(name + "/big.csv") + "},\"Outputs\":{\"output1\":"
                + keyRef(name + "/big-out.csv") + "}}");

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Finished");
        String[] lines = download("big-out.csv").split("\r\n");
        assertThat(lines).hasSize(20_001);
        Set<Integer> checked = new HashSet<>(List.of(0, 1, 9_999, 19_999));
        for (int i : checked) {
            int[] expected = hasher.features("row " + i + " has, some \"quoted\" text");
            StringBuilder tail = new StringBuilder();
            for (int count : expected) {
                tail.append(',').append(count);
            }
            assertThat(lines[i + 1]).isEqualTo(i + ",\"row " + i + " has, some \"\"quoted\"\" text\"" + tail);
        }
    }

    @Test
    void statusOfRunningJob_hasNoResults() {
        // given
        upload("in.csv", "Col2\nday\n");
        String name = container.getBlobContainerName();
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\"}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + keyRef(name + "/in.csv") + "}}");
        http.start(id);

        // when
        JsonNode running = http.awaitState(id, Set.of("Running"));

        // then
        assertThat(running.toString()).isEqualTo("{\"StatusCode\":\"Running\",\"Results\":null,\"Details\":null}");
        assertThat(http.admin("GET", "jobs", null).get(0).get("state").asString()).isEqualTo("Running");
    }
}
