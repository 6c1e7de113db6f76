package dev.besworker.staging;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;

import dev.besworker.definition.ContainerNames;
import dev.besworker.secrets.Redactor;
import dev.besworker.secrets.Secret;

/**
 * Puts input files into one blob container and hands out what BES needs to reach them: the
 * base and relative location and blob-scoped SAS tokens. Uses the storage account's own
 * credentials from a connection string, which never appears in a log or a message.
 * <p>
 * <b>Uploads</b> are idempotent by content. A blob that already holds the same bytes (same
 * Content-MD5 and size) is not sent again. A file no larger than one block goes in a single Put
 * Blob; a larger one is staged in blocks of {@link TransferSettings#blockSize()} bytes, several
 * at once, each with its transactional MD5 (the service rejects a block damaged on the way), and
 * committed with the whole-file MD5 as the blob's Content-MD5. While reading, the MD5 of the
 * file is computed again; if it differs from the one given (the file changed after it was
 * validated) nothing is committed.
 * <p>
 * <b>Resuming:</b> block ids are deterministic: {@code base64("<md5 hex>-<block size>-<index>")},
 * all of the same length as the service demands. An upload that was stopped or crashed leaves
 * its staged blocks uncommitted on the service (they live about a week); the next upload of the
 * same file to the same blob lists the uncommitted blocks and sends only those that are missing
 * or have the wrong size. Because the id contains the file's MD5 and the block size, blocks of
 * another version of the file, or cut at other boundaries, are never reused.
 * <p>
 * The work is split at its seams: {@link BlobUploader} uploads, {@link BlobSas} signs
 * (and {@link ResultDownloader} reads what it signs), {@link Blocks} names blocks; this class holds the account and
 * container they share and is the one entry point.
 * <p>
 * Instances are thread-safe; {@link #close()} releases nothing that outlives the instance but is
 * there so callers can own the instance in try-with-resources.
 */
public final class BlobStaging implements AutoCloseable {

    private static final Pattern SECRET_PARTS = Pattern.compile("(?i)(?:AccountKey|SharedAccessSignature)=([^;]+)");
    private static final Pattern SAS_ONLY = Pattern.compile("(?i)(?:^|;)\\s*SharedAccessSignature=([^;]+)");
    private static final Pattern ACCOUNT_KEY = Pattern.compile("(?i)(?:^|;)\\s*AccountKey=");

    private final Secret connectionString;
    private final TransferSettings settings;
    private final BlobServiceClient service;
    private final StagingContainer container;
    private final BlobUploader uploader;
    private final BlobSas sas;

    /** Uses {@link TransferSettings#defaults()}. */
    public BlobStaging(Secret connectionString, String container) {
        this(connectionString, container, TransferSettings.defaults());
    }

    /**
     * @param connectionString the storage account's connection string (with {@code AccountKey},
     *        to sign SAS tokens; {@code BlobEndpoint=} names a local Azurite)
     * @param container the container inputs go to; created on the first upload
     * @param settings block size and parallelism of large uploads
     * @throws IllegalArgumentException when the container name or the connection string is invalid
     */
    public BlobStaging(Secret connectionString, String container, TransferSettings settings) {
        this(connectionString, container, settings, List.of());
    }

    /** As the public constructor, with extra HTTP pipeline policies (tests count requests with them). */
    BlobStaging(Secret connectionString, String container, TransferSettings settings, List<HttpPipelinePolicy> policies) {
        this.connectionString = Objects.requireNonNull(connectionString, "connectionString");
        Objects.requireNonNull(container, "container");
        this.settings = Objects.requireNonNull(settings, "settings");
        if (!ContainerNames.isValid(container)) {
            throw new IllegalArgumentException("\"" + container + "\" is not a valid blob container name: "
                    + ContainerNames.RULE);
        }
        if (connectionString.isEmpty()) {
            throw new IllegalArgumentException("the storage connection string is empty");
        }
        // The key inside the string gets masked on its own too, wherever an SDK message might echo it.
        SECRET_PARTS.matcher(connectionString.reveal()).results().forEach(part -> Redactor.register(part.group(1)));
        try {
            BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                    .connectionString(connectionString.reveal())
                    .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 4, Duration.ofMinutes(5),
                            Duration.ofSeconds(1), Duration.ofSeconds(30), null));
            policies.forEach(builder::addPolicy);
            this.service = builder.buildClient();
        }
        catch (RuntimeException ex) {
            // No cause: SDK parse errors may quote the string they could not parse.
            throw new IllegalArgumentException("the storage connection string is not valid ("
                    + Redactor.scrub(String.valueOf(ex.getMessage())) + ")");
        }
        this.container = new StagingContainer(service.getBlobContainerClient(container), container);
        this.uploader = new BlobUploader(this.container, settings);
        this.sas = new BlobSas(this.container, connectionSas(connectionString.reveal()));
    }

    /**
     * Uploads {@code file} as {@code blobName} unless the blob already holds it (see the class
     * comment for blocks, resuming and checks).
     *
     * @param md5 the file's MD5 as computed by {@link CsvValidator} (16 bytes)
     * @param listener progress in bytes of the file (blocks reused from an earlier attempt count)
     * @param stopRequested polled between blocks; when true the upload ends with
     *        {@link TransferStoppedException} after the blocks in flight, and can be resumed
     * @throws TransferException when the upload fails, the file changed since {@code md5} was
     *         computed, or the stored blob does not carry the expected MD5 afterwards
     */
    public UploadResult upload(Path file, String blobName, byte[] md5, TransferListener listener, BooleanSupplier stopRequested) {
        return upload(file, blobName, md5, null, listener, stopRequested);
    }

    /**
     * As {@link #upload(Path, String, byte[], TransferListener, BooleanSupplier)}, but first tries
     * to commit blocks a {@link BlockStager} staged while the file was validated: when all of them
     * are still on the service with their sizes, they are committed and no byte is sent again;
     * otherwise the file is uploaded as usual.
     *
     * @param prestaged the staged blocks of this blob, or null
     */
    public UploadResult upload(Path file, String blobName, byte[] md5, PrestagedBlocks prestaged,
            TransferListener listener, BooleanSupplier stopRequested) {
        return uploader.upload(file, blobName, md5, prestaged, listener, stopRequested);
    }

    /** The account's blob endpoint with a final slash, e.g. {@code http://127.0.0.1:10000/devstoreaccount1/}. */
    public String baseLocation() {
        String url = service.getAccountUrl();
        return url.endsWith("/") ? url : url + "/";
    }

    /** {@code <container>/<blobName>}: the RelativeLocation BES gets for the blob. */
    public String relativeLocation(String blobName) {
        return container.name() + "/" + blobName;
    }

    /**
     * The URL that reads one blob until {@code expiry}: its address with a read-only SAS signed
     * by the account key (or, for a connection string that holds a SAS instead of the key, with
     * that SAS), for readers that take a URL, such as the stop-aware {@link ResultDownloader}.
     * A secret: it carries the SAS.
     *
     * @throws TransferException when the connection string carries neither an account key nor a SAS
     */
    public Secret readUrl(String blobName, OffsetDateTime expiry) {
        return sas.readUrl(blobName, expiry);
    }

    /**
     * A service SAS for one blob, valid until {@code expiry}: read-only, or (for outputs BES
     * writes) write and create. The token starts with {@code ?} so that base location, relative
     * location and token concatenate to a URL.
     *
     * @throws TransferException when the connection string carries no account key to sign with
     */
    public Secret sasToken(String blobName, boolean write, OffsetDateTime expiry) {
        return sas.token(blobName, write, expiry);
    }

    /** Whether the blob exists (a blob with only uncommitted blocks does not). */
    public boolean exists(String blobName) {
        try {
            return Boolean.TRUE.equals(container.blob(blobName).exists());
        }
        catch (RuntimeException ex) {
            throw TransferException.of("cannot check whether " + container.describe(blobName) + " exists", ex);
        }
    }

    /** Deletes the blob if it exists (its snapshots too); a missing blob is not an error. */
    public void delete(String blobName) {
        try {
            container.blob(blobName).deleteIfExists();
        }
        catch (RuntimeException ex) {
            throw TransferException.of("cannot delete " + container.describe(blobName), ex);
        }
    }

    /**
     * Streams the blob into {@code target} (created or replaced) with the account's own
     * credentials through {@link #readUrl} and a {@link ResultDownloader}, so it has the same
     * stall watchdog (no byte for two minutes ends it, retryable) and checks its Content-MD5
     * when the blob has one. On failure the partial target is deleted.
     *
     * @return {@code target}
     * @throws TransferException when the download fails, stalls or the bytes do not match the Content-MD5
     */
    public Path download(String blobName, Path target, TransferListener listener) {
        Objects.requireNonNull(target, "target");
        URI url = URI.create(readUrl(blobName, OffsetDateTime.now(ZoneOffset.UTC).plusHours(1)).reveal());
        new ResultDownloader().download(url, target, listener, () -> false);
        return target;
    }

    /** The connection string this instance uses (BES may be given it instead of SAS tokens). */
    public Secret connectionString() {
        return connectionString;
    }

    /** The container inputs go to. */
    public String container() {
        return container.name();
    }

    /**
     * A stager that uploads the blocks of a file of {@code fileSize} bytes to {@code blobName}
     * while the caller reads it (see {@link BlockStager}); the caller closes it.
     */
    public BlockStager stager(String blobName, long fileSize, TransferListener listener) {
        return uploader.stager(this, blobName, fileSize, listener);
    }

    /** Whether a file of {@code fileSize} bytes goes up in blocks (larger than one block) rather than in one request. */
    public boolean uploadsInBlocks(long fileSize) {
        return settings.inBlocks(fileSize);
    }

    /** Drops blocks staged ahead that will not be committed (best effort: the service expires them in a week anyway). */
    public void discard(PrestagedBlocks prestaged) {
        discardUncommitted(prestaged.blobName());
    }

    /** The connection string's SharedAccessSignature when it has one and no account key, else null. */
    private static Secret connectionSas(String connectionString) {
        if (ACCOUNT_KEY.matcher(connectionString).find()) {
            return null;
        }
        Matcher sas = SAS_ONLY.matcher(connectionString);
        return sas.find() ? Secret.of(sas.group(1).strip().replaceFirst("^\\?", "")) : null;
    }

    void discardUncommitted(String blobName) {
        uploader.discardUncommitted(blobName);
    }

    /** Nothing to release: the SDK's HTTP client ends with the JVM. */
    @Override
    public void close() {
        // The synchronous SDK clients hold no resources that must be released explicitly.
    }

    @Override
    public String toString() {
        return "BlobStaging[" + baseLocation() + container.name() + "]";
    }
}
