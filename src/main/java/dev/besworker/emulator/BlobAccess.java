package dev.besworker.emulator;

import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;

import dev.besworker.secrets.Redactor;
import dev.besworker.staging.BlockOutputStream;
import dev.besworker.staging.TransferSettings;

/**
 * Real blob I/O for emulated jobs through the Azure SDK (JDK HTTP client): streams an input
 * blob through a {@link FeatureHashingTransform} into an output blob, and signs result SAS
 * tokens. Failures become {@link ModuleException}s that name the blob, never a credential.
 */
final class BlobAccess {

    private static final int BUFFER = 1 << 20;
    /** The worker's block size, so that both draw the same buffers from the process's pool when in one JVM. */
    private static final int BLOCK = Math.toIntExact(TransferSettings.defaults().blockSize());
    private static final int WRITERS = 4;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http = new JdkHttpClientBuilder().build();
    private final Map<StorageAccount, BlobServiceClient> services = new ConcurrentHashMap<>();
    private final RequestRetryOptions retry = new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, Duration.ofSeconds(60),
            Duration.ofMillis(200), Duration.ofSeconds(2), null);

    /** A client for the referenced blob with the reference's own credentials. */
    BlobClient client(BlobRef ref) {
        return container(ref).getBlobClient(ref.blobName());
    }

    private BlobContainerClient container(BlobRef ref) {
        if (ref.account() != null) {
            BlobServiceClient service = services.computeIfAbsent(ref.account(), this::serviceClient);
            return service.getBlobContainerClient(ref.container());
        }
        return new BlobContainerClientBuilder()
                .endpoint(ref.baseLocation() + ref.container())
                .sasToken(ref.sasToken())
                .httpClient(http)
                .retryOptions(retry)
                .buildClient();
    }

    private BlobServiceClient serviceClient(StorageAccount account) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .endpoint(account.blobEndpoint())
                .httpClient(http)
                .retryOptions(retry);
        if (account.canSign()) {
            builder.credential(new StorageSharedKeyCredential(account.accountName(), account.accountKey()));
        }
        else {
            builder.sasToken(account.sas());
        }
        return builder.buildClient();
    }

    /**
     * Reads {@code input}, transforms it and writes {@code output} (overwriting it).
     *
     * @throws ModuleException       for problems with either blob or the table
     * @throws CancellationException when {@code stopRequested} turned true
     */
    FeatureHashingTransform.Summary transform(BlobRef input, BlobRef output, FeatureHashingTransform transform,
            BooleanSupplier stopRequested) {
        String source = input.relativeLocation();
        InputStream raw;
        try {
            raw = openRead(input);
        }
        catch (ModuleException ex) {
            throw ex;
        }
        catch (IOException | RuntimeException ex) {
            throw new ModuleException("Reader", "0030", 400, "Unable to read input blob \"" + source + "\" at "
                    + input.baseLocation() + ": " + Redactor.scrub(String.valueOf(ex.getMessage())));
        }
        char delimiter = input.blobName().toLowerCase(Locale.ROOT).endsWith(".tsv") ? '\t' : ',';
        BlobClient target = client(output);
        BlockOutputStream blobOut = null;
        try (InputStream in = new Tagged.In(raw)) {
            if (output.canSign()) {
                createContainerQuietly(output);
            }
            try {
                blobOut = new BlockOutputStream(target.getBlockBlobClient(),
                        new BlobHttpHeaders().setContentType(contentType(output.blobName())), BLOCK, WRITERS);
            }
            catch (RuntimeException ex) {
                throw writeFailure(output, ex);
            }
            Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
            Reader buffered = new java.io.BufferedReader(reader, BUFFER);
            Writer writer = new BufferedWriter(new OutputStreamWriter(new Tagged.Out(blobOut), StandardCharsets.UTF_8), BUFFER);
            FeatureHashingTransform.Summary summary = transform.transform(buffered, delimiter, writer,
                    FeatureHashingTransform.OutputFormat.forBlobName(output.blobName()), source, stopRequested);
            if (stopRequested.getAsBoolean()) {
                throw new CancellationException("cancelled");
            }
            // Closing commits the block list; a failed or cancelled job never gets here, so it leaves no output.
            writer.close();
            return summary;
        }
        catch (Tagged.InputFailure ex) {
            throw readFailure(source, ex.getCause());
        }
        catch (Tagged.OutputFailure ex) {
            throw writeFailure(output, ex.getCause());
        }
        catch (UncheckedIOException ex) {
            if (ex.getCause() instanceof Tagged.InputFailure failure) {
                throw readFailure(source, failure.getCause());
            }
            if (ex.getCause() instanceof Tagged.OutputFailure failure) {
                throw writeFailure(output, failure.getCause());
            }
            throw new ModuleException("Reader", "1000", 400, "Cannot read input \"" + source + "\": "
                    + Redactor.scrub(String.valueOf(ex.getMessage())));
        }
        catch (IOException ex) {
            throw new ModuleException("Writer", "0030", 500, "Unable to write output blob \"" + output.relativeLocation()
                    + "\": " + Redactor.scrub(String.valueOf(ex.getMessage())));
        }
        finally {
            if (blobOut != null) {
                blobOut.abandon(); // after a commit: only gives the buffers back
            }
        }
    }

    /**
     * The input blob's bytes as one streamed GET with a read SAS. Not the SDK's blob input
     * stream: that downloads ranges into fresh arrays and copies each twice more (about five
     * bytes of garbage, mostly large arrays, per byte read), which in the worker's own JVM (the
     * embedded emulator) grew the heap by hundreds of MB for a big file. A plain connection
     * reads into the caller's buffer.
     */
    private InputStream openRead(BlobRef input) throws IOException {
        String sas = readSas(input);
        URI uri = URI.create(client(input).getBlobUrl() + (sas == null ? "" : "?" + sas));
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
        connection.setRequestProperty("x-ms-version", "2021-08-06");
        int status = connection.getResponseCode();
        if (status != 200) {
            String code = connection.getHeaderField("x-ms-error-code");
            try (InputStream error = connection.getErrorStream()) {
                if (error != null) {
                    error.readNBytes(64 * 1024);
                }
            }
            throw readFailure(input.relativeLocation(), status, code);
        }
        return connection.getInputStream();
    }

    /** A SAS that reads the blob: signed here with the account key, else the reference's own. */
    private String readSas(BlobRef ref) {
        if (ref.canSign()) {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            return client(ref).generateSas(new BlobServiceSasSignatureValues(now.plusHours(12),
                    new BlobSasPermission().setReadPermission(true)).setStartTime(now.minusMinutes(5)));
        }
        if (ref.sasToken() != null) {
            return ref.sasToken().startsWith("?") ? ref.sasToken().substring(1) : ref.sasToken();
        }
        return ref.account() == null || ref.account().sas() == null ? null : ref.account().sas();
    }

    /**
     * A read-only SAS for one result blob, starting with "?"; already expired when
     * {@code expired}. A blob the emulator holds no key for gets the caller's own token back.
     */
    String resultSas(BlobRef ref, Duration validity, boolean expired) {
        if (!ref.canSign()) {
            return ref.sasToken() == null ? null : "?" + ref.sasToken();
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime expiry = expired ? now.minusHours(1) : now.plus(validity);
        BlobServiceSasSignatureValues values = new BlobServiceSasSignatureValues(expiry,
                new BlobSasPermission().setReadPermission(true))
                // Started a little in the past so that a client whose clock runs behind can use it at once.
                .setStartTime(expired ? now.minusHours(2) : now.minusMinutes(5));
        return "?" + client(ref).generateSas(values);
    }

    private void createContainerQuietly(BlobRef ref) {
        try {
            container(ref).createIfNotExists();
        }
        catch (RuntimeException ignored) {
            // The upload that follows reports a real problem with a clearer message.
        }
    }

    private static String contentType(String blobName) {
        String lower = blobName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".tsv")) {
            return "text/tab-separated-values";
        }
        return lower.endsWith(".arff") ? "text/plain" : "text/csv";
    }

    private static ModuleException readFailure(String source, Throwable cause) {
        if (cause instanceof BlobStorageException ex) {
            return readFailure(source, ex.getStatusCode(), ex.getErrorCode() == null ? null : ex.getErrorCode().toString());
        }
        return new ModuleException("Reader", "0030", 400, "Unable to download input blob \"" + source + "\": "
                + Redactor.scrub(String.valueOf(cause.getMessage())));
    }

    private static ModuleException readFailure(String source, int status, String errorCode) {
        String code = errorCode == null ? "HTTP " + status : errorCode;
        String fix = status == 404
                ? " Fix: upload the input blob, or correct the input's RelativeLocation (container/blob)."
                : status == 403
                        ? " Fix: give credentials (account key or a SAS with read permission) that can read it."
                        : "";
        String what = status == 404 ? "The specified blob does not exist." : "Access failed.";
        return new ModuleException("Reader", "0030", 400, "Unable to download input blob \"" + source + "\": "
                + code + " (" + what + ", status " + status + ")." + fix);
    }

    private static ModuleException writeFailure(BlobRef output, Throwable cause) {
        String reason = cause instanceof BlobStorageException ex
                ? (ex.getErrorCode() == null ? "HTTP " + ex.getStatusCode() : ex.getErrorCode() + " (status " + ex.getStatusCode() + ")")
                : Redactor.scrub(String.valueOf(cause.getMessage()));
        return new ModuleException("Writer", "0030", 400, "Unable to write output blob \"" + output.relativeLocation()
                + "\": " + reason + ". Fix: give an output override whose credentials can write (account key, or a SAS"
                + " with write and create permissions).");
    }

    /** Streams that tag their exceptions so input and output failures can be told apart. */
    private static final class Tagged {

        static final class InputFailure extends IOException {
            InputFailure(Throwable cause) {
                super(cause.getMessage(), cause);
            }
        }

        static final class OutputFailure extends IOException {
            OutputFailure(Throwable cause) {
                super(cause.getMessage(), cause);
            }
        }

        static final class In extends FilterInputStream {
            In(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                }
                catch (IOException | RuntimeException ex) {
                    throw new InputFailure(unwrap(ex));
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                }
                catch (IOException | RuntimeException ex) {
                    throw new InputFailure(unwrap(ex));
                }
            }
        }

        static final class Out extends FilterOutputStream {
            Out(OutputStream out) {
                super(out);
            }

            @Override
            public void write(int b) throws IOException {
                try {
                    out.write(b);
                }
                catch (IOException | RuntimeException ex) {
                    throw new OutputFailure(unwrap(ex));
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                }
                catch (IOException | RuntimeException ex) {
                    throw new OutputFailure(unwrap(ex));
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                }
                catch (IOException | RuntimeException ex) {
                    throw new OutputFailure(unwrap(ex));
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    out.close();
                }
                catch (IOException | RuntimeException ex) {
                    throw new OutputFailure(unwrap(ex));
                }
            }
        }

        private static Throwable unwrap(Throwable ex) {
            Throwable current = ex;
            while (current.getCause() != null && current.getCause() != current
                    && !(current instanceof BlobStorageException)) {
                current = current.getCause();
            }
            return current;
        }
    }
}
