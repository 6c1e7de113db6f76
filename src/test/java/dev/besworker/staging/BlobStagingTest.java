package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.blob.specialized.BlockBlobClient;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.secrets.Secret;

class BlobStagingTest {

    private static final String CONTAINER = "staging-test";
    private static final TransferSettings SMALL_BLOCKS = new TransferSettings(64 * 1024, 3);

    private static AzuriteProcess azurite;

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private String blobName;

    @BeforeAll
    static void startAzurite() throws IOException {
        azurite = AzuriteProcess.start(null);
    }

    @AfterAll
    static void stopAzurite() {
        if (azurite != null) {
            azurite.close();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void name(TestInfo test) {
        blobName = "in/" + test.getTestMethod().orElseThrow().getName() + ".csv";
    }

    private BlobStaging staging(TransferSettings settings) {
        return new BlobStaging(Secret.of(azurite.connectionString()), CONTAINER, settings, List.of(recorder));
    }

    private static BlobContainerClient sdkContainer() {
        return new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(CONTAINER);
    }

    private BlockBlobClient sdkBlob(String name) {
        return sdkContainer().getBlobClient(name).getBlockBlobClient();
    }

    @Test
    void smallFile_isUploadedInOneRequestWithContentMd5() throws Exception {
        // given
        Path file = Files.writeString(dir.resolve("in.csv"), "id,Col2\n1,This is a good day\n");
        CsvCheck check = new CsvValidator().validate(file, InputRules.csv(List.of("Col2")), TransferListener.NONE);

        // when
        UploadResult result;
        try (BlobStaging staging = staging(TransferSettings.defaults())) {
            result = staging.upload(file, blobName, check.md5(), TransferListener.NONE, () -> false);
        }

        // then
        assertThat(result).isEqualTo(new UploadResult(blobName, Files.size(file), false));
        BlobProperties stored = sdkBlob(blobName).getProperties();
        assertThat(Base64.getEncoder().encodeToString(stored.getContentMd5())).isEqualTo(check.md5Base64());
        assertThat(stored.getContentType()).isEqualTo("text/csv");
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(file));
        assertThat(recorder.puts()).containsExactly("PUT blob md5=" + check.md5Base64());
    }

    @Test
    void smallFile_toAContainerThatExists_takesTwoRequests_theCheckAndThePut() throws Exception {
        // given: the container exists (an earlier upload made it)
        BlobStaging staging = staging(TransferSettings.defaults());
        Path earlier = Files.writeString(dir.resolve("earlier.csv"), "id,Col2\n1,first\n");
        staging.upload(earlier, blobName + ".earlier", md5(earlier), TransferListener.NONE, () -> false);
        Path file = Files.writeString(dir.resolve("in.csv"), "id,Col2\n1,This is a good day\n");
        recorder.clear();

        // when
        staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false);

        // then: no request creates the container or reads the blob back (Put Blob's answer carries its MD5)
        assertThat(recorder.requests()).containsExactly("HEAD blob md5=null",
                "PUT blob md5=" + Base64.getEncoder().encodeToString(md5(file)));
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void firstUpload_toAContainerNotThereYet_createsItAndUploads() throws Exception {
        // given
        String container = "fresh-" + System.nanoTime();
        BlobStaging staging = new BlobStaging(Secret.of(azurite.connectionString()), container,
                TransferSettings.defaults(), List.of(recorder));
        Path file = Files.writeString(dir.resolve("in.csv"), "id,Col2\n1,first\n");

        // when
        UploadResult result = staging.upload(file, "in.csv", md5(file), TransferListener.NONE, () -> false);

        // then
        assertThat(result.skipped()).isFalse();
        assertThat(staging.exists("in.csv")).isTrue();
        assertThat(recorder.requests()).startsWith("HEAD blob md5=null", "PUT other md5=null");
    }

    @Test
    void putBlobAnsweredWithAnotherMd5_isACorruptedTransfer() throws Exception {
        // given: the service says it stored bytes with another MD5 than those sent
        byte[] other = new byte[16];
        HttpPipelineSyncPolicy otherMd5 = new HttpPipelineSyncPolicy() {
            @Override
            protected com.azure.core.http.HttpResponse afterReceivedResponse(HttpPipelineCallContext context,
                    com.azure.core.http.HttpResponse response) {
                if (context.getHttpRequest().getHttpMethod() == com.azure.core.http.HttpMethod.PUT
                        && response.getStatusCode() == 201) {
                    response.getHeaders().set(HttpHeaderName.CONTENT_MD5, Base64.getEncoder().encodeToString(other));
                }
                return response;
            }
        };
        BlobStaging staging = new BlobStaging(Secret.of(azurite.connectionString()), CONTAINER,
                TransferSettings.defaults(), List.of(otherMd5));
        Path file = Files.writeString(dir.resolve("in.csv"), "id,Col2\n1,first\n");

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false));

        // then
        assertThat(failed).isNotNull();
        assertThat(failed.getMessage()).contains("corrupted transfer").contains(blobName)
                .contains(Base64.getEncoder().encodeToString(other));
        assertThat(failed.retryable()).isTrue();
    }

    @Test
    void largeFile_isStagedInBlocksWithTransactionalMd5AndCommittedWithWholeMd5() throws Exception {
        // given: 5 blocks of 64 KiB, the last one short
        Path file = randomFile("big.csv", 4 * 64 * 1024 + 1000);
        byte[] md5 = md5(file);

        // when
        UploadResult result = staging(SMALL_BLOCKS).upload(file, blobName, md5, TransferListener.NONE, () -> false);

        // then
        assertThat(result.skipped()).isFalse();
        assertThat(result.bytes()).isEqualTo(Files.size(file));
        assertThat(sdkBlob(blobName).getProperties().getContentMd5()).isEqualTo(md5);
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(file));
        List<String> puts = recorder.puts();
        assertThat(puts).filteredOn(p -> p.startsWith("PUT block ")).hasSize(5)
                .allSatisfy(p -> assertThat(p).doesNotEndWith("md5=null"));
        assertThat(puts).filteredOn(p -> p.startsWith("PUT blocklist")).hasSize(1);
        assertThat(sdkBlob(blobName).listBlocks(BlockListType.COMMITTED).getCommittedBlocks()).hasSize(5);
    }

    @Test
    void blocksStagedWhileReading_areCommittedWithoutSendingTheFileAgain() throws Exception {
        // given: 5 blocks of 64 KiB fed in pieces that do not line up with them
        Path file = randomFile("ahead.csv", 4 * 64 * 1024 + 1000);
        byte[] bytes = Files.readAllBytes(file);
        BlobStaging staging = staging(SMALL_BLOCKS);
        PrestagedBlocks prestaged;
        try (BlockStager stager = staging.stager(blobName, bytes.length, null)) {
            for (int at = 0; at < bytes.length; at += 10_007) {
                stager.accept(bytes, at, Math.min(10_007, bytes.length - at));
            }
            prestaged = stager.finish();
        }
        assertThat(prestaged.blocks()).isEqualTo(5);
        assertThat(sdkBlob(blobName).exists()).as("nothing is committed while staging").isFalse();
        recorder.clear();

        // when
        UploadResult result = staging.upload(file, blobName, md5(file), prestaged, TransferListener.NONE, () -> false);

        // then
        assertThat(result.skipped()).isFalse();
        assertThat(result.committedAhead()).isTrue();
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT block ")).isEmpty();
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT blocklist")).hasSize(1);
        assertThat(sdkBlob(blobName).getProperties().getContentMd5()).isEqualTo(md5(file));
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(bytes);
    }

    @Test
    void stagingAgainAfterAnInterruptedPass_sendsOnlyTheBlocksNotThereYet() throws Exception {
        // given: a pass that staged the first three blocks and never finished (a killed run)
        Path file = randomFile("resumed.csv", 4 * 64 * 1024 + 1000);
        byte[] bytes = Files.readAllBytes(file);
        BlobStaging staging = staging(SMALL_BLOCKS);
        BlockStager interrupted = staging.stager(blobName, bytes.length, null);
        interrupted.accept(bytes, 0, 3 * 64 * 1024);
        interrupted.finish();
        recorder.clear();

        // when
        PrestagedBlocks prestaged;
        try (BlockStager again = staging.stager(blobName, bytes.length, null)) {
            again.accept(bytes, 0, bytes.length);
            prestaged = again.finish();
        }
        staging.upload(file, blobName, md5(file), prestaged, TransferListener.NONE, () -> false);

        // then
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT block ")).hasSize(2);
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(bytes);
    }

    @Test
    void stagedBlocksThatAreGone_fallBackToUploadingTheFile() throws Exception {
        // given: a record of blocks the service never received (expired, or staged elsewhere)
        Path file = randomFile("gone.csv", 4 * 64 * 1024 + 1000);
        PrestagedBlocks missing = new PrestagedBlocks(blobName, 64 * 1024, 5, Files.size(file));

        // when
        staging(SMALL_BLOCKS).upload(file, blobName, md5(file), missing, TransferListener.NONE, () -> false);

        // then
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT block ")).hasSize(5);
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void stagerClosedWithoutFinishing_leavesNoBlocksBehind() throws Exception {
        // given
        byte[] bytes = Files.readAllBytes(randomFile("dropped.csv", 3 * 64 * 1024));
        BlobStaging staging = staging(SMALL_BLOCKS);

        // when: validation failed half way
        try (BlockStager stager = staging.stager(blobName, bytes.length, null)) {
            stager.accept(bytes, 0, 2 * 64 * 1024 + 5);
        }

        // then
        assertThat(sdkBlob(blobName).exists()).isFalse();
        assertThat(sdkContainer().listBlobs(new ListBlobsOptions().setPrefix(blobName)
                .setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true)), null)).isEmpty();
    }

    @Test
    void sameMd5_isSkippedWithoutSendingBytes() throws Exception {
        // given
        Path file = randomFile("same.csv", 200 * 1024);
        byte[] md5 = md5(file);
        BlobStaging staging = staging(SMALL_BLOCKS);
        staging.upload(file, blobName, md5, TransferListener.NONE, () -> false);
        String etag = sdkBlob(blobName).getProperties().getETag();
        recorder.clear();
        AtomicLong progressCalls = new AtomicLong();

        // when
        UploadResult again = staging.upload(file, blobName, md5, (done, total) -> progressCalls.incrementAndGet(), () -> false);

        // then
        assertThat(again).isEqualTo(new UploadResult(blobName, Files.size(file), true));
        assertThat(recorder.puts()).isEmpty();
        assertThat(progressCalls).hasValue(0);
        assertThat(sdkBlob(blobName).getProperties().getETag()).isEqualTo(etag);
    }

    @Test
    void differentMd5_replacesTheBlob() throws Exception {
        // given
        BlobStaging staging = staging(SMALL_BLOCKS);
        Path first = Files.writeString(dir.resolve("v1.csv"), "id,Col2\n1,old\n");
        staging.upload(first, blobName, md5(first), TransferListener.NONE, () -> false);
        Path second = Files.writeString(dir.resolve("v2.csv"), "id,Col2\n1,new and longer\n");

        // when
        UploadResult result = staging.upload(second, blobName, md5(second), TransferListener.NONE, () -> false);

        // then
        assertThat(result.skipped()).isFalse();
        assertThat(sdkBlob(blobName).downloadContent().toString()).isEqualTo("id,Col2\n1,new and longer\n");
        assertThat(sdkBlob(blobName).getProperties().getContentMd5()).isEqualTo(md5(second));
    }

    @Test
    void blockUpload_reportsMonotonicProgressUpToTheSize() throws Exception {
        // given
        Path file = randomFile("progress.csv", 10 * 64 * 1024);
        List<long[]> calls = Collections.synchronizedList(new ArrayList<>());

        // when
        staging(SMALL_BLOCKS).upload(file, blobName, md5(file), (done, total) -> calls.add(new long[] {done, total}),
                () -> false);

        // then
        assertThat(calls).hasSize(10);
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i)[1]).isEqualTo(Files.size(file));
            assertThat(calls.get(i)[0]).isEqualTo((i + 1) * 64L * 1024);
        }
    }

    @Test
    void stopRequested_endsTheUploadWithoutCommitting_andTheNextUploadReusesStagedBlocks() throws Exception {
        // given: 12 blocks, one at a time, stop once 4 are staged
        Path file = randomFile("resume.csv", 12 * 64 * 1024);
        byte[] md5 = md5(file);
        BlobStaging staging = staging(new TransferSettings(64 * 1024, 1));
        AtomicLong done = new AtomicLong();

        // when
        TransferStoppedException stopped = catchThrowableOfType(TransferStoppedException.class,
                () -> staging.upload(file, blobName, md5, (bytes, total) -> done.set(bytes),
                        () -> done.get() >= 4 * 64 * 1024));

        // then
        // (the block read ahead while the 4th was in flight may have gone out too)
        assertThat(stopped).isNotNull();
        assertThat(stopped.retryable()).isTrue();
        assertThat(staging.exists(blobName)).isFalse();
        int staged = sdkBlob(blobName).listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks().size();
        assertThat(staged).isBetween(4, 5);
        assertThat(stopped.getMessage()).contains("stopped with " + staged * 64 * 1024 + " of 786432 bytes staged");

        // when: the same upload again
        recorder.clear();
        UploadResult resumed = staging.upload(file, blobName, md5, TransferListener.NONE, () -> false);

        // then: only the missing blocks travel
        assertThat(resumed.skipped()).isFalse();
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT block ")).hasSize(12 - staged);
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(file));
        assertThat(sdkBlob(blobName).getProperties().getContentMd5()).isEqualTo(md5);
    }

    @Test
    void stagedBlocksOfAnotherFileVersion_areNotReused() throws Exception {
        // given: version 1 stopped half-way, then the file changes
        Path file = randomFile("changing.csv", 6 * 64 * 1024);
        BlobStaging staging = staging(new TransferSettings(64 * 1024, 1));
        AtomicLong done = new AtomicLong();
        catchThrowableOfType(TransferStoppedException.class, () -> staging.upload(file, blobName, md5(file),
                (bytes, total) -> done.set(bytes), () -> done.get() >= 3 * 64 * 1024));
        Path changed = randomFile("changing.csv", 6 * 64 * 1024, 99);
        recorder.clear();

        // when
        staging.upload(changed, blobName, md5(changed), TransferListener.NONE, () -> false);

        // then
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT block ")).hasSize(6);
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(changed));
    }

    @Test
    void uncommittedBlocksWithOtherIdLengths_areDiscardedAndTheUploadSucceeds() throws Exception {
        // given: someone else staged a block with a short id
        BlockBlobClient foreign = sdkBlob(blobName);
        sdkContainer().createIfNotExists();
        foreign.stageBlock(Base64.getEncoder().encodeToString("x1".getBytes(StandardCharsets.US_ASCII)),
                BinaryData.fromString("foreign"));
        Path file = randomFile("mine.csv", 3 * 64 * 1024);

        // when
        staging(SMALL_BLOCKS).upload(file, blobName, md5(file), TransferListener.NONE, () -> false);

        // then: an empty commit cleared the foreign block before ours were staged
        assertThat(recorder.puts()).filteredOn(p -> p.startsWith("PUT blocklist")).hasSize(2);
        assertThat(sdkBlob(blobName).downloadContent().toBytes()).isEqualTo(Files.readAllBytes(file));
        assertThat(sdkBlob(blobName).listBlocks(BlockListType.ALL).getUncommittedBlocks()).isEmpty();
    }

    @Test
    void fileChangedAfterValidation_isNotCommitted() throws Exception {
        // given: the MD5 of other content
        Path file = randomFile("changed.csv", 3 * 64 * 1024);
        byte[] staleMd5 = MessageDigest.getInstance("MD5").digest("something else".getBytes(StandardCharsets.UTF_8));

        // when / then
        for (TransferSettings settings : List.of(SMALL_BLOCKS, TransferSettings.defaults())) {
            assertThatThrownBy(() -> staging(settings).upload(file, blobName, staleMd5, TransferListener.NONE, () -> false))
                    .isInstanceOf(TransferException.class)
                    .hasMessageContaining("changed after it was validated");
            assertThat(staging(settings).exists(blobName)).isFalse();
        }
    }

    @Test
    void aWrongAccountKey_failsWithWhatItMeansAndTheFix_notTheSdksAdvice() throws Exception {
        // given: the account's name with another key
        String wrongKey = Base64.getEncoder().encodeToString(new byte[64]);
        String connectionString = azurite.connectionString().replace(AzuriteProcess.ACCOUNT_KEY, wrongKey);
        Path file = Files.writeString(dir.resolve("in.csv"), "id,Col2\n1,This is a good day\n");

        // when
        TransferException failure;
        try (BlobStaging staging = new BlobStaging(Secret.of(connectionString), CONTAINER, TransferSettings.defaults())) {
            failure = catchThrowableOfType(TransferException.class,
                    () -> staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false));
        }

        // then: a failure a retry cannot mend, saying which setting to fix, with neither key in it
        assertThat(failure).isNotNull();
        assertThat(failure.httpStatus()).isEqualTo(403);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage()).contains("HTTP 403", "refused the credentials", "storage.connection-string",
                "`check <definition>`").doesNotContain("Azure-Storage-Log-String-To-Sign", wrongKey,
                AzuriteProcess.ACCOUNT_KEY);
        assertThat(sdkContainer().getBlobClient(blobName).exists()).isFalse();
    }

    @Test
    void containerDeletedAfterFirstUse_isCreatedAgain() throws Exception {
        // given
        BlobStaging staging = new BlobStaging(Secret.of(azurite.connectionString()), "short-lived", SMALL_BLOCKS);
        Path file = randomFile("again.csv", 3 * 64 * 1024);
        staging.upload(file, "a.csv", md5(file), TransferListener.NONE, () -> false);
        new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient("short-lived").delete();

        // when
        UploadResult result = staging.upload(file, "b.csv", md5(file), TransferListener.NONE, () -> false);

        // then
        assertThat(result.skipped()).isFalse();
        assertThat(staging.exists("b.csv")).isTrue();
    }

    @Test
    void stopRequestedBeforeStart_sendsNothing() throws Exception {
        // given
        Path file = randomFile("never.csv", 1000);

        // when / then
        assertThatThrownBy(() -> staging(SMALL_BLOCKS).upload(file, blobName, md5(file), TransferListener.NONE, () -> true))
                .isInstanceOf(TransferStoppedException.class);
        assertThat(recorder.puts()).isEmpty();
    }

    @Test
    void readSas_allowsPlainHttpGet_butNotWrites() throws Exception {
        // given
        Path file = Files.writeString(dir.resolve("sas.csv"), "id,Col2\n1,read me\n");
        BlobStaging staging = staging(SMALL_BLOCKS);
        staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false);
        Secret sas = staging.sasToken(blobName, false, OffsetDateTime.now().plusHours(1));
        URI url = URI.create(staging.baseLocation() + staging.relativeLocation(blobName) + sas.reveal());
        HttpClient http = HttpClient.newHttpClient();

        // when
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> put = http.send(putBlob(url, "overwritten"), HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(sas.reveal()).startsWith("?").contains("sp=r").contains("sr=b").contains("sig=");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("id,Col2\n1,read me\n");
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(sdkBlob(blobName).downloadContent().toString()).isEqualTo("id,Col2\n1,read me\n");
    }

    @Test
    void writeSas_allowsCreatingTheBlob_butNotReading() throws Exception {
        // given
        BlobStaging staging = staging(SMALL_BLOCKS);
        sdkContainer().createIfNotExists();
        Secret sas = staging.sasToken(blobName, true, OffsetDateTime.now().plusHours(1));
        URI url = URI.create(staging.baseLocation() + staging.relativeLocation(blobName) + sas.reveal());
        HttpClient http = HttpClient.newHttpClient();

        // when
        HttpResponse<String> put = http.send(putBlob(url, "id,Scored\n1,0.5\n"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(get.statusCode()).isEqualTo(403);
        assertThat(staging.exists(blobName)).isTrue();
        Path target = staging.download(blobName, dir.resolve("out.csv"), TransferListener.NONE);
        assertThat(Files.readString(target)).isEqualTo("id,Scored\n1,0.5\n");
    }

    @Test
    void locations_concatenateToTheBlobUrl() {
        // given
        BlobStaging staging = staging(SMALL_BLOCKS);

        // when / then
        assertThat(staging.baseLocation()).isEqualTo(azurite.blobEndpoint() + "/");
        assertThat(staging.relativeLocation("in/a.csv")).isEqualTo(CONTAINER + "/in/a.csv");
        assertThat(staging.connectionString().reveal()).isEqualTo(azurite.connectionString());
        assertThat(staging.toString()).doesNotContain(AzuriteProcess.ACCOUNT_KEY);
    }

    @Test
    void download_withOwnCredentials_isByteIdenticalAndReportsProgress() throws Exception {
        // given
        Path file = randomFile("down.csv", 3 * 1024 * 1024 + 17);
        BlobStaging staging = staging(TransferSettings.defaults());
        staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false);
        AtomicLong last = new AtomicLong();

        // when
        Path target = staging.download(blobName, dir.resolve("copy.csv"), (done, total) -> {
            assertThat(total).isEqualTo(3 * 1024 * 1024 + 17);
            last.set(done);
        });

        // then
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(file));
        assertThat(last).hasValue(Files.size(file));
    }

    @Test
    void download_ofBlobWhoseContentMd5IsWrong_failsAsCorruptedAndLeavesNoFile() throws Exception {
        // given
        Path file = randomFile("corrupt.csv", 5000);
        BlobStaging staging = staging(SMALL_BLOCKS);
        staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false);
        sdkBlob(blobName).setHttpHeaders(new BlobHttpHeaders().setContentMd5(new byte[16]).setContentType("text/csv"));
        Path target = dir.resolve("corrupt-copy.csv");

        // when / then
        assertThatThrownBy(() -> staging.download(blobName, target, TransferListener.NONE))
                .isInstanceOfSatisfying(TransferException.class, ex -> {
                    assertThat(ex.getMessage()).contains("corrupted");
                    assertThat(ex.retryable()).isTrue();
                });
        assertThat(target).doesNotExist();
    }

    @Test
    void existsAndDelete_workAndDeleteIsIdempotent() throws Exception {
        // given
        Path file = randomFile("gone.csv", 100);
        BlobStaging staging = staging(SMALL_BLOCKS);
        staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false);

        // when
        boolean before = staging.exists(blobName);
        staging.delete(blobName);
        staging.delete(blobName);

        // then
        assertThat(before).isTrue();
        assertThat(staging.exists(blobName)).isFalse();
    }

    @Test
    void wrongAccountKey_failsWithoutRevealingTheKeyOrConnectionString() throws Exception {
        // given: a valid-looking key that is not the account's
        String wrongKey = Base64.getEncoder().encodeToString(new byte[64]).replace('A', 'Q');
        String connection = azurite.connectionString().replace(AzuriteProcess.ACCOUNT_KEY, wrongKey);
        BlobStaging staging = new BlobStaging(Secret.of(connection), CONTAINER, SMALL_BLOCKS);
        Path file = randomFile("denied.csv", 100);

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> staging.upload(file, blobName, md5(file), TransferListener.NONE, () -> false));

        // then
        assertThat(failed).isNotNull();
        assertThat(failed.httpStatus()).isEqualTo(403);
        assertThat(failed.retryable()).isFalse();
        assertThat(allMessages(failed)).doesNotContain(wrongKey).doesNotContain(connection);
    }

    @Test
    void invalidContainerOrConnectionString_isRefusedWithoutEchoingTheString() {
        // when / then
        assertThatThrownBy(() -> new BlobStaging(Secret.of(azurite.connectionString()), "Bad_Name", SMALL_BLOCKS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid blob container name");
        String broken = "AccountName=x;AccountKey=c2VjcmV0LXNlY3JldA==;NoEndpoint";
        assertThatThrownBy(() -> new BlobStaging(Secret.of(broken), CONTAINER, SMALL_BLOCKS))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(ex -> assertThat(allMessages(ex)).doesNotContain("c2VjcmV0LXNlY3JldA=="));
    }

    @Test
    void sasToken_withoutAccountKey_failsClearly() {
        // given: a SAS-based connection string cannot sign
        String sasConnection = "BlobEndpoint=" + azurite.blobEndpoint() + ";SharedAccessSignature=sv=2021-08-06&sig=abcdefghijkl";
        BlobStaging staging = new BlobStaging(Secret.of(sasConnection), CONTAINER, SMALL_BLOCKS);

        // when / then
        assertThatThrownBy(() -> staging.sasToken("x.csv", false, OffsetDateTime.now().plusHours(1)))
                .isInstanceOf(TransferException.class)
                .hasMessageContaining("must contain an AccountKey")
                .satisfies(ex -> assertThat(allMessages(ex)).doesNotContain("abcdefghijkl"));
    }

    @Test
    void download_withASasConnectionString_readsWithThatSas_throughTheWatchedDownloader() throws Exception {
        // given: a blob, and a connection string that holds a container SAS (read, list) instead of the key
        Path file = randomFile("sas-read.csv", 70_000);
        staging(SMALL_BLOCKS).upload(file, blobName, md5(file), TransferListener.NONE, () -> false);
        String sas = sdkContainer().generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)));
        BlobStaging sasStaging = new BlobStaging(Secret.of("BlobEndpoint=" + azurite.blobEndpoint()
                + ";SharedAccessSignature=" + sas), CONTAINER, SMALL_BLOCKS);
        AtomicLong last = new AtomicLong();

        // when
        Path target = sasStaging.download(blobName, dir.resolve("sas-copy.csv"), (done, total) -> last.set(done));

        // then
        assertThat(target).hasSameBinaryContentAs(file);
        assertThat(last).hasValue(Files.size(file));
        assertThat(sasStaging.readUrl(blobName, OffsetDateTime.now().plusHours(1)).toString()).doesNotContain(sas);
    }

    static String allMessages(Throwable ex) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = ex; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }

    private static HttpRequest putBlob(URI url, String body) {
        return HttpRequest.newBuilder(url).header("x-ms-blob-type", "BlockBlob")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private Path randomFile(String name, int size) throws IOException {
        return randomFile(name, size, 1);
    }

    private Path randomFile(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] md5(Path file) throws Exception {
        return MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file));
    }

    /** Records the requests the staging client sends (after retries are split out). */
    static final class Recorder extends HttpPipelineSyncPolicy {
        private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

        @Override
        protected void beforeSendingRequest(HttpPipelineCallContext context) {
            var request = context.getHttpRequest();
            String query = String.valueOf(request.getUrl().getQuery());
            String kind = query.contains("comp=blocklist") ? "blocklist" : query.contains("comp=block") ? "block"
                    : query.contains("comp=") || query.contains("restype=") ? "other" : "blob";
            requests.add(request.getHttpMethod() + " " + kind + " md5=" + request.getHeaders().getValue(HttpHeaderName.CONTENT_MD5));
        }

        List<String> puts() {
            synchronized (requests) {
                return requests.stream().filter(r -> r.startsWith("PUT ") && !r.startsWith("PUT other")).toList();
            }
        }

        List<String> requests() {
            synchronized (requests) {
                return List.copyOf(requests);
            }
        }

        void clear() {
            requests.clear();
        }
    }

}
