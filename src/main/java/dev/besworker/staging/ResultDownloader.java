package dev.besworker.staging;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.besworker.definition.Units;

/**
 * Downloads a result blob from a SAS URL (as BES hands them out: base location, relative location
 * and token) with plain HTTP, streaming it into a file in 256 KiB pieces (the buffer lives as long
 * as the download, and serve downloads the results of its runs at once: at 1 MiB, 8 downloads
 * kept 8 MB of heap in the old generation).
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
    private static final int BUFFER = 256 * 1024;
    private static final int SLICE = 128 * 1024;
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]+)</Code>");
    private static final Duration POLL = Duration.ofMillis(200);

    private final Duration connectTimeout;
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
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
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
        HttpURLConnection connection = null;
        Watch watch = null;
        long written = 0;
        try {
            try {
                // toASCIIString: a blob name outside ASCII is sent percent-encoded (URI.toURL keeps it raw, which storage refuses)
                connection = (HttpURLConnection) URI.create(sasUrl.toASCIIString()).toURL().openConnection();
                connection.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
                // The idle timeout: for the response headers, and for each read of the body.
                connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()));
                connection.setInstanceFollowRedirects(true);
                connection.setUseCaches(false);
                connection.setRequestProperty("x-ms-version", "2021-08-06");
                watch = Watch.start(connection, stop);
                if (connection.getResponseCode() != 200) {
                    throw refused(shown, connection);
                }
            }
            catch (SocketTimeoutException ex) {
                throw new TransferException("no answer from " + shown + " within " + Units.format(idleTimeout), true, 0, ex);
            }
            catch (IOException ex) {
                if (watch != null && watch.fired()) {
                    throw new TransferStoppedException("download of " + shown + " stopped before it began");
                }
                throw new TransferException("cannot reach " + shown + " (" + scrubbed(ex, sasUrl) + ")", true, 0, null);
            }
            long total = connection.getContentLengthLong();
            Optional<String> md5Header = Optional.ofNullable(connection.getHeaderField("Content-MD5")).filter(h -> !h.isBlank());
            // Hashing costs as much CPU as the rest of the download: only when there is an MD5 to check.
            MessageDigest md5 = md5Header.isPresent() ? Md5.digest() : null;
            // A plain connection reads into this one buffer: no array per read (the JDK's HttpClient
            // allocates a new 16 KiB buffer for every socket read, a byte of garbage per byte received).
            byte[] buffer = new byte[BUFFER];
            int pending = 0;
            try (InputStream in = connection.getInputStream();
                    FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                while (true) {
                    if (stop.getAsBoolean()) {
                        throw new TransferStoppedException("download of " + shown + " stopped after " + written + " bytes");
                    }
                    int n;
                    try {
                        n = in.read(buffer, pending, buffer.length - pending);
                    }
                    catch (SocketTimeoutException ex) {
                        throw new TransferException("download of " + shown + " stalled: no data for "
                                + Units.format(idleTimeout) + " after " + written + " bytes", true);
                    }
                    catch (IOException ex) {
                        if (watch.fired()) {
                            throw new TransferStoppedException("download of " + shown + " stopped after " + written + " bytes");
                        }
                        throw new TransferException("download of " + shown + " failed after " + written + " bytes ("
                                + scrubbed(ex, sasUrl) + ")", true, 0, null);
                    }
                    if (n > 0) {
                        if (md5 != null) {
                            md5.update(buffer, pending, n);
                        }
                        pending += n;
                        written += n;
                        progress.progress(written, total);
                    }
                    // Pieces arrive in a few KiB; gathering them into 256 KiB keeps the writes few.
                    if (n < 0 || pending == buffer.length) {
                        // In slices: the channel copies a heap buffer into a temporary direct one of
                        // the write's size and keeps it for the thread.
                        for (int at = 0; at < pending; at += SLICE) {
                            ByteBuffer piece = ByteBuffer.wrap(buffer, at, Math.min(SLICE, pending - at));
                            while (piece.hasRemaining()) {
                                out.write(piece);
                            }
                        }
                        pending = 0;
                    }
                    if (n < 0) {
                        break;
                    }
                }
            }
            catch (TransferException ex) {
                throw ex;
            }
            catch (IOException ex) {
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
        finally {
            if (watch != null) {
                watch.cancel();
            }
            if (!done) {
                if (connection != null) {
                    connection.disconnect();
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

    private TransferException refused(String shown, HttpURLConnection connection) throws IOException {
        int status = connection.getResponseCode();
        String text = "";
        try (InputStream error = connection.getErrorStream()) {
            if (error != null) {
                text = new String(error.readNBytes(16 * 1024), StandardCharsets.UTF_8);
            }
        }
        catch (IOException ex) {
            // the code and status say enough
        }
        String code = connection.getHeaderField("x-ms-error-code");
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

    /** An I/O error's text without the URL's query (the JDK names the URL in some messages). */
    private static String scrubbed(IOException ex, URI url) {
        String text = String.valueOf(ex);
        String query = url.getRawQuery();
        return query == null ? text : text.replace(query, "…");
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
     * Ends a download whose stop was asked for, also while a read blocks (a stalled body): every
     * {@link #POLL} it asks the stop flag and, when it is set, closes the connection, which ends
     * the blocked read. One daemon thread for all downloads.
     */
    private static final class Watch {
        private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "download-stop-watch");
            thread.setDaemon(true);
            return thread;
        });

        private final AtomicBoolean fired = new AtomicBoolean();
        private volatile ScheduledFuture<?> task;

        static Watch start(HttpURLConnection connection, BooleanSupplier stop) {
            Watch watch = new Watch();
            watch.task = TIMER.scheduleWithFixedDelay(() -> {
                if (!watch.fired.get() && stop.getAsBoolean()) {
                    watch.fired.set(true);
                    connection.disconnect();
                }
            }, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
            return watch;
        }

        boolean fired() {
            return fired.get();
        }

        void cancel() {
            ScheduledFuture<?> current = task;
            if (current != null) {
                current.cancel(false);
            }
        }
    }
}
