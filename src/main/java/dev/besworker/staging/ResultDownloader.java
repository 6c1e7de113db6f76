package dev.besworker.staging;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a result blob from a SAS URL (as BES hands them out: base location, relative location
 * and token) with plain HTTP, streaming it into a file in 1 MiB pieces.
 * <p>
 * Failures are sorted for the caller: a 403 for an invalid or expired token is a
 * {@link SasExpiredException} (fetch a fresh URL, e.g. by reading the job status again); I/O
 * errors, timeouts, 408, 429 and 5xx are {@linkplain TransferException#retryable() retryable};
 * other answers (404, other 4xx) are not. When the service sends a Content-MD5 (it does for
 * blobs that have one), the received bytes are checked against it, and a short body is detected
 * by its Content-Length. A download that receives nothing for the idle timeout, or whose
 * {@code stopRequested} turns true while it waits for data, is aborted. Messages never contain
 * the token: URLs are shown without their query.
 * <p>
 * Thread-safe; one instance can serve many downloads at once.
 */
public final class ResultDownloader {

    private static final Logger log = LoggerFactory.getLogger(ResultDownloader.class);
    private static final int BUFFER = 1 << 20;
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]+)</Code>");
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "result-download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final HttpClient client;
    private final Duration idleTimeout;

    /** Connects within 30 s; gives up on a response that stays silent for 2 minutes. */
    public ResultDownloader() {
        this(Duration.ofSeconds(30), Duration.ofMinutes(2));
    }

    /**
     * @param connectTimeout how long to wait for a connection
     * @param idleTimeout how long to wait for the response headers, and for each piece of the body
     */
    public ResultDownloader(Duration connectTimeout, Duration idleTimeout) {
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.client = HttpClient.newBuilder()
                .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
                .followRedirects(HttpClient.Redirect.NORMAL)
                // Blob storage speaks HTTP/1.1; asking for an h2c upgrade only risks confusing proxies.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * Streams the blob at {@code sasUrl} into {@code target} (created or replaced; the caller
     * moves it into place when this returns). On failure the partial target is deleted.
     * {@code stopRequested} is polled between pieces and by a watchdog thread while a read
     * blocks, so it must be thread-safe (an {@code AtomicBoolean::get} is).
     *
     * @return the number of bytes written
     * @throws SasExpiredException when the service refuses the token (403)
     * @throws TransferStoppedException when {@code stopRequested} turned true
     * @throws TransferException for any other failure, with {@link TransferException#retryable()} set
     */
    public long download(URI sasUrl, Path target, TransferListener listener, BooleanSupplier stopRequested) {
        Objects.requireNonNull(sasUrl, "sasUrl");
        Objects.requireNonNull(target, "target");
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        BooleanSupplier stop = stopRequested == null ? () -> false : stopRequested;
        String shown = withoutQuery(sasUrl);
        if (stop.getAsBoolean()) {
            throw new TransferStoppedException("download of " + shown + " stopped before it began");
        }
        Watchdog watchdog = new Watchdog(Thread.currentThread(), stop);
        boolean done = false;
        try {
            HttpRequest request = HttpRequest.newBuilder(sasUrl).GET().timeout(idleTimeout)
                    .header("x-ms-version", "2021-08-06").build();
            HttpResponse<InputStream> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            }
            catch (HttpTimeoutException ex) {
                throw new TransferException("no answer from " + shown + " within " + idleTimeout.toSeconds() + " s", true, 0, ex);
            }
            catch (IOException ex) {
                throw new TransferException("cannot reach " + shown + " (" + ex + ")", true, 0, ex);
            }
            int status = response.statusCode();
            if (status != 200) {
                throw refused(shown, response);
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            Optional<String> md5Header = response.headers().firstValue("Content-MD5");
            MessageDigest md5 = BlobStaging.md5();
            long written = 0;
            byte[] buffer = new byte[BUFFER];
            watchdog.start();
            try (InputStream in = response.body();
                    OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                while (true) {
                    if (stop.getAsBoolean()) {
                        throw new TransferStoppedException("download of " + shown + " stopped after " + written + " bytes");
                    }
                    // read, not readNBytes: every piece counts as progress for the idle watchdog
                    int n = in.read(buffer, 0, buffer.length);
                    if (n < 0) {
                        break;
                    }
                    watchdog.progressed();
                    out.write(buffer, 0, n);
                    md5.update(buffer, 0, n);
                    written += n;
                    progress.progress(written, total);
                }
            }
            catch (IOException ex) {
                watchdog.stop();
                if (watchdog.stopped) {
                    throw new TransferStoppedException("download of " + shown + " stopped after " + written + " bytes");
                }
                if (watchdog.timedOut) {
                    throw new TransferException("download of " + shown + " stalled: no data for "
                            + idleTimeout.toSeconds() + " s after " + written + " bytes", true, 0, ex);
                }
                throw new TransferException("download of " + shown + " to " + target + " failed after " + written
                        + " bytes (" + ex + ")", true, 0, ex);
            }
            finally {
                watchdog.stop();
            }
            if (total >= 0 && written != total) {
                throw new TransferException("download of " + shown + " ended after " + written + " of " + total + " bytes",
                        true);
            }
            if (md5Header.isPresent() && !md5Header.get().isBlank()) {
                byte[] expected = decode(md5Header.get());
                byte[] actual = md5.digest();
                if (!Arrays.equals(expected, actual)) {
                    // Retryable: corruption on the way goes away on a second try; a stored MD5
                    // that does not match the stored bytes does not, so callers bound their retries.
                    throw new TransferException("corrupted transfer: " + shown + " does not match its Content-MD5 "
                            + "(expected " + md5Header.get().strip() + ", received "
                            + Base64.getEncoder().encodeToString(actual) + ")", true);
                }
            }
            done = true;
            log.debug("Downloaded {} bytes from {}", written, shown);
            return written;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TransferStoppedException("download of " + shown + " interrupted");
        }
        finally {
            watchdog.stop();
            if (!done) {
                try {
                    Files.deleteIfExists(target);
                }
                catch (IOException ex) {
                    log.debug("Could not delete the partial download {}: {}", target, ex.toString());
                }
            }
        }
    }

    private static TransferException refused(String shown, HttpResponse<InputStream> response) {
        int status = response.statusCode();
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(16 * 1024), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            body = "";
        }
        String code = response.headers().firstValue("x-ms-error-code").orElse(null);
        if (code == null) {
            Matcher matcher = ERROR_CODE.matcher(body);
            code = matcher.find() ? matcher.group(1) : "";
        }
        String what = shown + " answered HTTP " + status + (code.isEmpty() ? "" : " " + code);
        if (status == 403) {
            // Expired, revoked, or without read permission (AuthorizationPermissionMismatch): all
            // mean this URL will not do, and a fresh one, or other credentials, might.
            return new SasExpiredException(what + ": the SAS was refused (expired, invalid or not allowed to read); "
                    + "fetch a fresh URL", status);
        }
        if (status == 404) {
            return new TransferException(what + ": the blob does not exist", false, status, null);
        }
        boolean retryable = status >= 500 || status == 408 || status == 429;
        return new TransferException(what, retryable, status, null);
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        }
        catch (IllegalArgumentException ex) {
            return new byte[0];
        }
    }

    /** The URL without its query, where the SAS token lives. */
    static String withoutQuery(URI uri) {
        String text = uri.toString();
        int query = text.indexOf('?');
        return query < 0 ? text : text.substring(0, query);
    }

    /**
     * Interrupts the downloading thread when the body stops flowing for the idle timeout, or when
     * a stop is requested while a read blocks: a blocked read would otherwise never look.
     */
    private final class Watchdog {
        private final Thread worker;
        private final BooleanSupplier stop;
        private ScheduledFuture<?> task;
        private volatile long lastProgress = System.nanoTime();
        private boolean active;
        private volatile boolean timedOut;
        private volatile boolean stopped;
        private boolean cleared;

        Watchdog(Thread worker, BooleanSupplier stop) {
            this.worker = worker;
            this.stop = stop;
        }

        synchronized void start() {
            lastProgress = System.nanoTime();
            active = true;
            long period = Math.max(50, Math.min(1000, idleTimeout.toMillis() / 4));
            task = WATCHDOG.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progressed() {
            lastProgress = System.nanoTime();
        }

        private synchronized void check() {
            if (!active) {
                return;
            }
            if (stop.getAsBoolean()) {
                stopped = true;
            }
            else if (System.nanoTime() - lastProgress > idleTimeout.toNanos()) {
                timedOut = true;
            }
            else {
                return;
            }
            active = false;
            worker.interrupt();
        }

        synchronized void stop() {
            if (task != null) {
                task.cancel(false);
            }
            boolean fired = !active && (timedOut || stopped) && !cleared;
            active = false;
            if (fired) {
                cleared = true;
                // Clear the interrupt this watchdog caused, so the caller's thread is not left interrupted.
                Thread.interrupted();
            }
        }
    }
}
