package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.secrets.Secret;

class ResultDownloaderTest {

    private static final String CONTAINER = "results-test";

    private static AzuriteProcess azurite;
    private static BlobStaging staging;

    @TempDir
    Path dir;

    private final ResultDownloader downloader = new ResultDownloader(Duration.ofSeconds(5), Duration.ofSeconds(10));
    private HttpServer fake;

    @BeforeAll
    static void startAzurite() throws IOException {
        azurite = AzuriteProcess.start(null);
        staging = new BlobStaging(Secret.of(azurite.connectionString()), CONTAINER);
    }

    @AfterAll
    static void stopAzurite() {
        if (azurite != null) {
            azurite.close();
        }
    }

    @AfterEach
    void stopFake() {
        if (fake != null) {
            fake.stop(0);
        }
    }

    @Test
    void sasUrl_isDownloadedByteIdentical_withProgress() throws Exception {
        // given: a result of several MiB, read through its read-only SAS URL
        byte[] content = random(3 * 1024 * 1024 + 5);
        URI url = publish("out/result1.csv", content, OffsetDateTime.now().plusHours(1));
        Path target = dir.resolve("result1.csv.part");
        List<Long> progress = new ArrayList<>();

        // when
        long bytes = downloader.download(url, target, (done, total) -> {
            assertThat(total).isEqualTo(content.length);
            progress.add(done);
        }, () -> false);

        // then
        assertThat(bytes).isEqualTo(content.length);
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        assertThat(progress).isSorted().last().isEqualTo((long) content.length);
    }

    @Test
    void expiredSas_isSasExpiredException_withoutTheToken() throws Exception {
        // given
        URI url = publish("out/expired.csv", random(100), OffsetDateTime.now().minusMinutes(5));
        Path target = dir.resolve("expired.part");

        // when
        SasExpiredException expired = catchThrowableOfType(SasExpiredException.class,
                () -> downloader.download(url, target, TransferListener.NONE, () -> false));

        // then
        assertThat(expired).isNotNull();
        assertThat(expired.httpStatus()).isEqualTo(403);
        assertThat(expired.retryable()).isTrue();
        assertThat(expired.getMessage()).contains("fetch a fresh URL").doesNotContain("sig=").doesNotContain("?");
        assertThat(target).doesNotExist();
    }

    @Test
    void tamperedSignature_isSasExpiredException() throws Exception {
        // given
        URI good = publish("out/tampered.csv", random(100), OffsetDateTime.now().plusHours(1));
        URI tampered = URI.create(good.toString().replaceAll("sig=[^&]+", "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D"));

        // when / then
        assertThat(catchThrowableOfType(SasExpiredException.class,
                () -> downloader.download(tampered, dir.resolve("t.part"), TransferListener.NONE, () -> false)))
                .isNotNull();
    }

    @Test
    void missingBlob_isNotRetryable() throws Exception {
        // given
        new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(CONTAINER).createIfNotExists();
        URI url = URI.create(staging.baseLocation() + staging.relativeLocation("out/none.csv")
                + staging.sasToken("out/none.csv", false, OffsetDateTime.now().plusHours(1)).reveal());

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> downloader.download(url, dir.resolve("none.part"), TransferListener.NONE, () -> false));

        // then
        assertThat(failed).isNotInstanceOf(SasExpiredException.class);
        assertThat(failed.httpStatus()).isEqualTo(404);
        assertThat(failed.retryable()).isFalse();
        assertThat(failed.getMessage()).contains("does not exist").doesNotContain("sig=");
    }

    @Test
    void wrongStoredContentMd5_isDetectedAsCorruption() throws Exception {
        // given: the stored Content-MD5 does not match the bytes
        URI url = publish("out/corrupt.csv", random(70_000), OffsetDateTime.now().plusHours(1));
        new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(CONTAINER).getBlobClient("out/corrupt.csv")
                .setHttpHeaders(new BlobHttpHeaders().setContentMd5(MessageDigest.getInstance("MD5").digest(new byte[] {1})));
        Path target = dir.resolve("corrupt.part");

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> downloader.download(url, target, TransferListener.NONE, () -> false));

        // then
        assertThat(failed).isNotNull();
        assertThat(failed.getMessage()).startsWith("corrupted transfer");
        assertThat(target).doesNotExist();
    }

    @Test
    void stopRequested_endsTheDownloadAndRemovesThePartialFile() throws Exception {
        // given
        URI url = publish("out/stop.csv", random(3 * 1024 * 1024), OffsetDateTime.now().plusHours(1));
        Path target = dir.resolve("stop.part");
        AtomicBoolean stop = new AtomicBoolean();

        // when
        TransferStoppedException stopped = catchThrowableOfType(TransferStoppedException.class,
                () -> downloader.download(url, target, (done, total) -> stop.set(true), stop::get));

        // then
        assertThat(stopped).isNotNull();
        assertThat(stopped.getMessage()).doesNotContain("sig=");
        assertThat(target).doesNotExist();
    }

    @Test
    void stalledBody_isAbortedAfterTheIdleTimeout_asRetryable() throws Exception {
        // given: a server that sends part of the body, then nothing
        CountDownLatch release = new CountDownLatch(1);
        URI url = fakeServer(exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[100]);
                out.flush();
                release.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        ResultDownloader impatient = new ResultDownloader(Duration.ofSeconds(5), Duration.ofMillis(600));

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> impatient.download(url, dir.resolve("stall.part"), TransferListener.NONE, () -> false));
        release.countDown();

        // then
        assertThat(failed).isNotNull().isNotInstanceOf(TransferStoppedException.class);
        assertThat(failed.getMessage()).contains("stalled: no data for 600ms after 100 bytes");
        assertThat(failed.retryable()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aBlobNameOutsideAscii_isRequestedPercentEncoded() throws Exception {
        // given: a result blob named with accents and a space, as the URI holds it
        java.util.concurrent.atomic.AtomicReference<String> requested = new java.util.concurrent.atomic.AtomicReference<>();
        URI server = fakeServer(exchange -> {
            requested.set(exchange.getRequestURI().getRawPath());
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        });
        URI url = new URI("http", null, server.getHost(), server.getPort(), "/devstoreaccount1/c/naïve café.csv",
                "sv=1&sig=abc", null);
        Path target = dir.resolve("accents.part");

        // when
        long bytes = new ResultDownloader().download(url, target, TransferListener.NONE, () -> false);

        // then
        assertThat(bytes).isEqualTo(2);
        assertThat(requested.get()).isEqualTo("/devstoreaccount1/c/na%C3%AFve%20caf%C3%A9.csv");
    }

    @Test
    void slowButSteadyBody_isNotAStall() throws Exception {
        // given: 8 pieces, 250 ms apart, with an idle timeout of 600 ms (2 s in all)
        URI url = fakeServer(exchange -> {
            exchange.sendResponseHeaders(200, 8);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 8; i++) {
                    out.write('a' + i);
                    out.flush();
                    Thread.sleep(250);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        ResultDownloader patient = new ResultDownloader(Duration.ofSeconds(5), Duration.ofMillis(600));
        Path target = dir.resolve("slow.part");

        // when
        long bytes = patient.download(url, target, TransferListener.NONE, () -> false);

        // then
        assertThat(bytes).isEqualTo(8);
        assertThat(Files.readString(target)).isEqualTo("abcdefgh");
    }

    @Test
    void stopRequestedWhileTheBodyStalls_endsTheDownload() throws Exception {
        // given
        CountDownLatch release = new CountDownLatch(1);
        URI url = fakeServer(exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[10]);
                out.flush();
                release.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicBoolean stop = new AtomicBoolean();

        // when: stop is asked for once data has begun to arrive
        TransferStoppedException stopped = catchThrowableOfType(TransferStoppedException.class,
                () -> downloader.download(url, dir.resolve("stall.part"), (done, total) -> stop.set(true), stop::get));
        release.countDown();

        // then
        assertThat(stopped).isNotNull();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void serverErrors_areRetryable_clientErrorsAreNot() throws Exception {
        // given
        int[] status = {503};
        URI url = fakeServer(exchange -> {
            exchange.getResponseHeaders().add("x-ms-error-code", "ServerBusy");
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });

        // when
        TransferException busy = catchThrowableOfType(TransferException.class,
                () -> downloader.download(url, dir.resolve("a.part"), TransferListener.NONE, () -> false));
        status[0] = 400;
        TransferException bad = catchThrowableOfType(TransferException.class,
                () -> downloader.download(url, dir.resolve("b.part"), TransferListener.NONE, () -> false));

        // then
        assertThat(busy.retryable()).isTrue();
        assertThat(busy.getMessage()).contains("HTTP 503 ServerBusy");
        assertThat(bad.retryable()).isFalse();
    }

    @Test
    void truncatedBody_isRetryable() throws Exception {
        // given: announces 1000 bytes, sends 10 and closes
        URI url = fakeServer(exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write(new byte[10]);
            exchange.close();
        });

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> downloader.download(url, dir.resolve("short.part"), TransferListener.NONE, () -> false));

        // then
        assertThat(failed).isNotNull();
        assertThat(failed.retryable()).isTrue();
    }

    @Test
    void unreachableHost_isRetryable() throws Exception {
        // given: a port nobody listens on
        URI url = URI.create("http://127.0.0.1:" + AzuriteProcess.freePort() + "/devstoreaccount1/c/b.csv?sv=1&sig=secretsig");

        // when
        TransferException failed = catchThrowableOfType(TransferException.class,
                () -> downloader.download(url, dir.resolve("x.part"), TransferListener.NONE, () -> false));

        // then
        assertThat(failed.retryable()).isTrue();
        assertThat(BlobStagingTest.allMessages(failed)).doesNotContain("secretsig");
    }

    private URI publish(String blobName, byte[] content, OffsetDateTime sasExpiry) throws Exception {
        Path file = Files.write(dir.resolve("upload-" + blobName.replace('/', '_')), content);
        staging.upload(file, blobName, MessageDigest.getInstance("MD5").digest(content), TransferListener.NONE, () -> false);
        Secret sas = staging.sasToken(blobName, false, sasExpiry);
        return URI.create(staging.baseLocation() + staging.relativeLocation(blobName) + sas.reveal());
    }

    private URI fakeServer(HttpHandler handler) throws IOException {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", exchange -> {
            try {
                handler.handle(exchange);
            }
            catch (IOException ignored) {
                // the client went away
            }
        });
        fake.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        fake.start();
        return URI.create("http://127.0.0.1:" + fake.getAddress().getPort() + "/devstoreaccount1/c/result.csv?sv=1&sig=abc");
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

}
