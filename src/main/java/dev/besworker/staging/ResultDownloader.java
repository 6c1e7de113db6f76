package dev.besworker.staging;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
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
 * by its Content-Length. A download that receives nothing for the idle timeout is aborted as
 * retryable, and {@code stopRequested} is honoured within 200 ms even while the body stalls.
 * Messages never contain the token: URLs are shown without their query.
 * <p>
 * Thread-safe; one instance can serve many downloads at once.
 */
public final class ResultDownloader {

    private static final Logger log = LoggerFactory.getLogger(ResultDownloader.class);
    private static final int BUFFER = 1 << 20;
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]+)</Code>");
    private static final Duration POLL = Duration.ofMillis(200);

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
     * {@code stopRequested} is polled at least every 200 ms, also while the body stalls.
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
        boolean done = false;
        BodyQueue body = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(sasUrl).GET().timeout(idleTimeout)
                    .header("x-ms-version", "2021-08-06").build();
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofPublisher());
            }
            catch (HttpTimeoutException ex) {
                throw new TransferException("no answer from " + shown + " within " + idleTimeout.toSeconds() + " s", true, 0, ex);
            }
            catch (IOException ex) {
                throw new TransferException("cannot reach " + shown + " (" + ex + ")", true, 0, ex);
            }
            body = new BodyQueue();
            response.body().subscribe(body);
            if (response.statusCode() != 200) {
                throw refused(shown, response, body);
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            Optional<String> md5Header = response.headers().firstValue("Content-MD5").filter(h -> !h.isBlank());
            // Hashing costs as much CPU as the rest of the download: only when there is an MD5 to check.
            MessageDigest md5 = md5Header.isPresent() ? Md5.digest() : null;
            long written = 0;
            // Pieces arrive in small buffers; gathering them into 1 MiB keeps the writes few.
            ByteBuffer pending = ByteBuffer.allocate(BUFFER);
            long lastData = System.nanoTime();
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                while (true) {
                    if (stop.getAsBoolean()) {
                        body.cancel();
                        throw new TransferStoppedException("download of " + shown + " stopped after " + written + " bytes");
                    }
                    Object item = body.poll(POLL);
                    if (item == null) {
                        if (System.nanoTime() - lastData > idleTimeout.toNanos()) {
                            body.cancel();
                            throw new TransferException("download of " + shown + " stalled: no data for "
                                    + idleTimeout.toSeconds() + " s after " + written + " bytes", true);
                        }
                        continue;
                    }
                    if (item == BodyQueue.END) {
                        break;
                    }
                    if (item instanceof Throwable failure) {
                        throw new TransferException("download of " + shown + " failed after " + written + " bytes ("
                                + failure + ")", true, 0, failure);
                    }
                    lastData = System.nanoTime();
                    @SuppressWarnings("unchecked")
                    List<ByteBuffer> pieces = (List<ByteBuffer>) item;
                    for (ByteBuffer piece : pieces) {
                        int length = piece.remaining();
                        if (md5 != null) {
                            md5.update(piece.duplicate());
                        }
                        while (piece.hasRemaining()) {
                            if (!pending.hasRemaining()) {
                                flush(pending, out);
                            }
                            int take = Math.min(piece.remaining(), pending.remaining());
                            ByteBuffer slice = piece.duplicate();
                            slice.limit(slice.position() + take);
                            pending.put(slice);
                            piece.position(piece.position() + take);
                        }
                        written += length;
                    }
                    progress.progress(written, total);
                    body.request();
                }
                flush(pending, out);
            }
            catch (IOException ex) {
                body.cancel();
                throw new TransferException("cannot write " + target + " while downloading " + shown + " (" + ex + ")",
                        false, 0, ex);
            }
            if (total >= 0 && written != total) {
                throw new TransferException("download of " + shown + " ended after " + written + " of " + total + " bytes",
                        true);
            }
            if (md5 != null) {
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
            if (!done) {
                if (body != null) {
                    body.cancel();
                }
                try {
                    Files.deleteIfExists(target);
                }
                catch (IOException ex) {
                    log.debug("Could not delete the partial download {}: {}", target, ex.toString());
                }
            }
        }
    }

    private static void flush(ByteBuffer pending, FileChannel out) throws IOException {
        pending.flip();
        while (pending.hasRemaining()) {
            out.write(pending);
        }
        pending.clear();
    }

    private TransferException refused(String shown, HttpResponse<?> response, BodyQueue body) throws InterruptedException {
        int status = response.statusCode();
        String text = body.readSome(16 * 1024, idleTimeout);
        String code = response.headers().firstValue("x-ms-error-code").orElse(null);
        if (code == null) {
            Matcher matcher = ERROR_CODE.matcher(text);
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
     * Receives the response body one list of buffers at a time (demand 1), so the downloading
     * thread can wait with a timeout: it checks for a stop and for a stalled body between polls,
     * which a blocking {@code InputStream} read would not let it do.
     */
    private static final class BodyQueue implements Flow.Subscriber<List<ByteBuffer>> {
        static final Object END = new Object();

        private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (cancelled) {
                subscription.cancel();
            }
            else {
                subscription.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable failure) {
            items.add(failure);
        }

        @Override
        public void onComplete() {
            items.add(END);
        }

        Object poll(Duration timeout) throws InterruptedException {
            return items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void request() {
            Flow.Subscription current = subscription;
            if (current != null) {
                current.request(1);
            }
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
        }

        /** Up to {@code limit} bytes of the body as text (for error responses), then cancels. */
        String readSome(int limit, Duration timeout) throws InterruptedException {
            StringBuilder text = new StringBuilder();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (text.length() < limit && System.nanoTime() < deadline) {
                Object item = poll(POLL);
                if (item == null) {
                    continue;
                }
                if (item == END || item instanceof Throwable) {
                    break;
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> pieces = (List<ByteBuffer>) item;
                for (ByteBuffer piece : pieces) {
                    text.append(StandardCharsets.UTF_8.decode(piece));
                }
                request();
            }
            cancel();
            return text.toString();
        }
    }
}
