package dev.besworker.staging;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobDownloadResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;

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
 * Instances are thread-safe; {@link #close()} releases nothing that outlives the instance but is
 * there so callers can own the instance in try-with-resources.
 */
public final class BlobStaging implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlobStaging.class);

    private static final Pattern CONTAINER_NAME = Pattern.compile("^(?=.{3,63}$)[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$");
    private static final Pattern SECRET_PARTS = Pattern.compile("(?i)(?:AccountKey|SharedAccessSignature)=([^;]+)");
    private static final int DOWNLOAD_BUFFER = 1 << 20;

    private final Secret connectionString;
    private final String containerName;
    private final TransferSettings settings;
    private final BlobServiceClient service;
    private final BlobContainerClient container;
    private volatile boolean containerReady;

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
        this.containerName = Objects.requireNonNull(container, "container");
        this.settings = Objects.requireNonNull(settings, "settings");
        if (!CONTAINER_NAME.matcher(container).matches()) {
            throw new IllegalArgumentException("\"" + container + "\" is not a valid blob container name: use 3-63 "
                    + "lower-case letters, digits and single hyphens, starting and ending with a letter or digit");
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
        this.container = service.getBlobContainerClient(container);
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
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(md5, "md5");
        if (md5.length != 16) {
            throw new IllegalArgumentException("an MD5 has 16 bytes, got " + md5.length);
        }
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        BooleanSupplier stop = stopRequested == null ? () -> false : stopRequested;
        if (stop.getAsBoolean()) {
            throw new TransferStoppedException("upload of " + file + " to " + describe(blobName) + " stopped before it began");
        }
        long size;
        try {
            size = Files.size(file);
        }
        catch (IOException ex) {
            throw new TransferException("cannot read " + file + " to upload it (" + ex + ")", false, 0, ex);
        }
        BlockBlobClient blob = container.getBlobClient(blobName).getBlockBlobClient();
        try {
            return uploadTo(blob, file, blobName, md5, size, prestaged, progress, stop);
        }
        catch (BlobStorageException ex) {
            if (!BlobErrorCode.CONTAINER_NOT_FOUND.equals(ex.getErrorCode())) {
                throw failure("upload of " + file + " to " + describe(blobName) + " failed", ex);
            }
            // Deleted since this instance created it: create it again, once.
            log.info("Container {} disappeared; creating it again", containerName);
            containerReady = false;
            try {
                return uploadTo(blob, file, blobName, md5, size, null, progress, stop);
            }
            catch (RuntimeException again) {
                throw failure("upload of " + file + " to " + describe(blobName) + " failed", again);
            }
        }
        catch (RuntimeException ex) {
            throw failure("upload of " + file + " to " + describe(blobName) + " failed", ex);
        }
    }

    private UploadResult uploadTo(BlockBlobClient blob, Path file, String blobName, byte[] md5, long size,
            PrestagedBlocks prestaged, TransferListener progress, BooleanSupplier stop) {
        ensureContainer();
        BlobProperties existing = propertiesOrNull(blob);
        if (existing != null && Arrays.equals(existing.getContentMd5(), md5) && existing.getBlobSize() == size) {
            log.debug("Blob {} already holds {} ({} bytes, same MD5): not uploading", describe(blobName), file, size);
            return new UploadResult(blobName, size, true);
        }
        if (prestaged != null && prestaged.blobName().equals(blobName) && prestaged.bytes() == size
                && commitPrestaged(blob, blobName, prestaged, md5)) {
            progress.progress(size, size);
            verify(blob, blobName, md5, size);
            return new UploadResult(blobName, size, false, true);
        }
        if (settings.inBlocks(size)) {
            uploadInBlocks(file, blob, blobName, md5, size, settings.blockSizeFor(size), progress, stop);
        }
        else {
            uploadInOne(file, blob, blobName, md5, size, progress, stop);
        }
        verify(blob, blobName, md5, size);
        return new UploadResult(blobName, size, false);
    }

    /** The account's blob endpoint with a final slash, e.g. {@code http://127.0.0.1:10000/devstoreaccount1/}. */
    public String baseLocation() {
        String url = service.getAccountUrl();
        return url.endsWith("/") ? url : url + "/";
    }

    /** {@code <container>/<blobName>}: the RelativeLocation BES gets for the blob. */
    public String relativeLocation(String blobName) {
        return containerName + "/" + blobName;
    }

    /**
     * The URL that reads one blob until {@code expiry}: its address with a read-only SAS signed
     * by the account key, for readers that take a URL, such as the stop-aware
     * {@link ResultDownloader}. A secret: it carries the SAS.
     *
     * @throws TransferException when the connection string carries no account key to sign with
     */
    public Secret readUrl(String blobName, OffsetDateTime expiry) {
        String token = sasToken(blobName, false, expiry).reveal();
        return Secret.of(container.getBlobClient(blobName).getBlobUrl() + token);
    }

    /**
     * A service SAS for one blob, valid until {@code expiry}: read-only, or (for outputs BES
     * writes) write and create. The token starts with {@code ?} so that base location, relative
     * location and token concatenate to a URL.
     *
     * @throws TransferException when the connection string carries no account key to sign with
     */
    public Secret sasToken(String blobName, boolean write, OffsetDateTime expiry) {
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(expiry, "expiry");
        BlobSasPermission permission = write
                ? new BlobSasPermission().setWritePermission(true).setCreatePermission(true)
                : new BlobSasPermission().setReadPermission(true);
        try {
            String token = container.getBlobClient(blobName).generateSas(new BlobServiceSasSignatureValues(expiry, permission));
            return Secret.of("?" + token);
        }
        catch (RuntimeException ex) {
            throw new TransferException("cannot sign a SAS for " + describe(blobName)
                    + ": the storage connection string must contain an AccountKey (" + ex.getMessage() + ")", false, 0, ex);
        }
    }

    /** Whether the blob exists (a blob with only uncommitted blocks does not). */
    public boolean exists(String blobName) {
        try {
            return Boolean.TRUE.equals(container.getBlobClient(blobName).exists());
        }
        catch (RuntimeException ex) {
            throw failure("cannot check whether " + describe(blobName) + " exists", ex);
        }
    }

    /** Deletes the blob if it exists (its snapshots too); a missing blob is not an error. */
    public void delete(String blobName) {
        try {
            container.getBlobClient(blobName).deleteIfExists();
        }
        catch (RuntimeException ex) {
            throw failure("cannot delete " + describe(blobName), ex);
        }
    }

    /**
     * Streams the blob into {@code target} (created or replaced) with the account's own
     * credentials, checking its Content-MD5 when the blob has one. On failure the partial
     * target is deleted.
     *
     * @return {@code target}
     * @throws TransferException when the download fails or the bytes do not match the Content-MD5
     */
    public Path download(String blobName, Path target, TransferListener listener) {
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(target, "target");
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        var blob = container.getBlobClient(blobName);
        boolean done = false;
        try {
            long total = blob.getProperties().getBlobSize();
            MessageDigest md5 = md5();
            long received;
            byte[] expected;
            try (OutputStream file = Files.newOutputStream(target, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                    CountingDigestOutputStream out = new CountingDigestOutputStream(file, md5, progress, total)) {
                BlobDownloadResponse response = blob.downloadStreamWithResponse(out, null, null, null, false, null, Context.NONE);
                expected = response.getDeserializedHeaders().getContentMd5();
                received = out.count();
            }
            if (received != total) {
                throw new TransferException("download of " + describe(blobName) + " ended after " + received + " of "
                        + total + " bytes", true);
            }
            if (expected != null && !Arrays.equals(expected, md5.digest())) {
                throw new TransferException("corrupted transfer: " + describe(blobName)
                        + " does not match its Content-MD5 after download", true);
            }
            done = true;
            return target;
        }
        catch (TransferException ex) {
            throw ex;
        }
        catch (IOException ex) {
            throw new TransferException("cannot write " + target + " while downloading " + describe(blobName)
                    + " (" + ex + ")", false, 0, ex);
        }
        catch (RuntimeException ex) {
            throw failure("download of " + describe(blobName) + " failed", ex);
        }
        finally {
            if (!done) {
                deleteQuietly(target);
            }
        }
    }

    /** The connection string this instance uses (BES may be given it instead of SAS tokens). */
    public Secret connectionString() {
        return connectionString;
    }

    /** The container inputs go to. */
    public String container() {
        return containerName;
    }

    /** Nothing to release: the SDK's HTTP client ends with the JVM. */
    @Override
    public void close() {
        // The synchronous SDK clients hold no resources that must be released explicitly.
    }

    @Override
    public String toString() {
        return "BlobStaging[" + baseLocation() + containerName + "]";
    }

    private void ensureContainer() {
        if (!containerReady) {
            container.createIfNotExists();
            containerReady = true;
        }
    }

    private static BlobProperties propertiesOrNull(BlockBlobClient blob) {
        try {
            return blob.getProperties();
        }
        catch (BlobStorageException ex) {
            if (ex.getStatusCode() == 404 && !BlobErrorCode.CONTAINER_NOT_FOUND.equals(ex.getErrorCode())) {
                return null;
            }
            throw ex;
        }
    }

    private void uploadInOne(Path file, BlockBlobClient blob, String blobName, byte[] md5, long size,
            TransferListener progress, BooleanSupplier stop) {
        byte[] bytes = readAll(file, size);
        if (!Arrays.equals(md5().digest(bytes), md5)) {
            throw changedFile(file);
        }
        if (stop.getAsBoolean()) {
            throw new TransferStoppedException("upload of " + file + " to " + describe(blobName) + " stopped before it began");
        }
        // The MD5 goes twice: as Content-MD5 the service checks the body against it, in the
        // headers it is stored as the blob's Content-MD5.
        blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(bytes))
                .setHeaders(headers(blobName, md5)).setContentMd5(md5), null, Context.NONE);
        progress.progress(size, size);
    }

    private void uploadInBlocks(Path file, BlockBlobClient blob, String blobName, byte[] md5, long size, long blockSize,
            TransferListener progress, BooleanSupplier stop) {
        int count = Math.toIntExact((size + blockSize - 1) / blockSize);
        List<String> ids = new ArrayList<>(count);
        String md5Hex = HexFormat.of().formatHex(md5);
        for (int i = 0; i < count; i++) {
            ids.add(blockId(md5Hex, blockSize, i));
        }
        Map<String, Long> staged = stagedBlocks(blob, ids.get(0).length());
        Progress done = new Progress(progress, size);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        // One buffer more than uploads in flight, so the next block is read while they run.
        int bufferCount = settings.concurrency() + 1;
        BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(bufferCount);
        int allocated = 0;
        int reused = 0;
        boolean stopped = false;
        MessageDigest whole = md5();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency(), task -> {
            Thread thread = new Thread(task, "blob-upload-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
            for (int i = 0; i < count && failure.get() == null; i++) {
                byte[] buffer;
                if (allocated < bufferCount) {
                    buffer = new byte[(int) blockSize];
                    allocated++;
                }
                else {
                    buffer = buffers.take();
                }
                // Asked after waiting for a free buffer, so a stop is seen as soon as a block completes.
                if (stop.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                int length = (int) Math.min(blockSize, size - i * blockSize);
                if (in.readNBytes(buffer, 0, length) != length) {
                    throw changedFile(file);
                }
                whole.update(buffer, 0, length);
                String id = ids.get(i);
                Long stagedSize = staged.get(id);
                if (stagedSize != null && stagedSize == length) {
                    reused++;
                    buffers.add(buffer);
                    done.add(length);
                    continue;
                }
                pool.execute(() -> {
                    try {
                        if (failure.get() == null) {
                            stageBlock(blob, id, buffer, length);
                            done.add(length);
                        }
                    }
                    catch (RuntimeException ex) {
                        failure.compareAndSet(null, ex);
                    }
                    finally {
                        buffers.add(buffer);
                    }
                });
            }
            if (!stopped && failure.get() == null && in.read() != -1) {
                throw changedFile(file);
            }
        }
        catch (NoSuchFileException ex) {
            throw new TransferException("cannot upload " + file + ": it no longer exists", false, 0, ex);
        }
        catch (IOException ex) {
            throw new TransferException("cannot read " + file + " while uploading it (" + ex + ")", false, 0, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
        finally {
            pool.shutdown();
            awaitQuietly(pool);
        }
        if (failure.get() != null) {
            throw failure("upload of " + file + " to " + describe(blobName) + " failed while staging blocks", failure.get());
        }
        if (stopped) {
            throw new TransferStoppedException("upload of " + file + " to " + describe(blobName) + " stopped with "
                    + done.bytes() + " of " + size + " bytes staged; uploading again resumes it");
        }
        if (!Arrays.equals(whole.digest(), md5)) {
            throw changedFile(file);
        }
        if (reused > 0) {
            log.info("Upload of {} to {} reused {} of {} blocks staged by an earlier attempt", file, describe(blobName),
                    reused, count);
        }
        blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids).setHeaders(headers(blobName, md5)),
                null, Context.NONE);
    }

    /**
     * A stager that uploads the blocks of a file of {@code fileSize} bytes to {@code blobName}
     * while the caller reads it (see {@link BlockStager}); the caller closes it.
     */
    public BlockStager stager(String blobName, long fileSize, TransferListener listener) {
        Objects.requireNonNull(blobName, "blobName");
        try {
            ensureContainer();
        }
        catch (RuntimeException ex) {
            throw failure("cannot prepare " + describe(blobName) + " for staging", ex);
        }
        BlockBlobClient blob = container.getBlobClient(blobName).getBlockBlobClient();
        long blockSize = settings.blockSizeFor(fileSize);
        Map<String, Long> earlier;
        try {
            earlier = stagedBlocks(blob, blockIdLength(blockSize));
        }
        catch (RuntimeException ex) {
            throw failure("cannot list the blocks staged for " + describe(blobName), ex);
        }
        return new BlockStager(this, blob, blobName, blockSize, settings.concurrency(), fileSize, listener, earlier);
    }

    /** Whether a file of {@code fileSize} bytes goes up in blocks (larger than one block) rather than in one request. */
    public boolean uploadsInBlocks(long fileSize) {
        return settings.inBlocks(fileSize);
    }

    /** Drops blocks staged ahead that will not be committed (best effort: the service expires them in a week anyway). */
    public void discard(PrestagedBlocks prestaged) {
        discardUncommitted(prestaged.blobName());
    }

    void discardUncommitted(String blobName) {
        BlockBlobClient blob = container.getBlobClient(blobName).getBlockBlobClient();
        try {
            if (!Boolean.TRUE.equals(blob.exists())) {
                // Committing an empty list replaces the uncommitted blocks by an empty blob, which then goes.
                blob.commitBlockList(List.of(), true);
                blob.deleteIfExists();
            }
        }
        catch (RuntimeException ex) {
            log.info("Could not discard the blocks staged for {} ({}); the service drops them within a week",
                    describe(blobName), Redactor.scrub(String.valueOf(ex.getMessage()).lines().findFirst().orElse("")));
        }
    }

    /**
     * Commits blocks staged ahead when every index has exactly one uncommitted block of the
     * staging's cut (block size, and the right length), whatever MD5 its id names; otherwise
     * (gone, incomplete, or two versions of a block) nothing is committed.
     */
    private boolean commitPrestaged(BlockBlobClient blob, String blobName, PrestagedBlocks prestaged, byte[] md5) {
        Map<String, Long> staged = stagedBlocks(blob, blockIdLength(prestaged.blockSize()));
        String[] ids = new String[prestaged.blocks()];
        boolean ambiguous = false;
        int found = 0;
        for (Map.Entry<String, Long> block : staged.entrySet()) {
            int index = blockIndex(block.getKey(), prestaged.blockSize());
            if (index < 0 || index >= ids.length) {
                continue;
            }
            long expected = index < ids.length - 1 ? prestaged.blockSize()
                    : prestaged.bytes() - (long) (ids.length - 1) * prestaged.blockSize();
            if (block.getValue() != expected) {
                continue;
            }
            if (ids[index] != null) {
                ambiguous = true;
            }
            else {
                found++;
            }
            ids[index] = block.getKey();
        }
        if (ambiguous || found != ids.length) {
            log.info("Blocks staged for {} while validating are {} ({} of {} there); uploading the file",
                    describe(blobName), ambiguous ? "ambiguous" : "incomplete", found, ids.length);
            return false;
        }
        blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(List.of(ids)).setHeaders(headers(blobName, md5)),
                null, Context.NONE);
        log.info("Committed the {} blocks of {} staged while validating; nothing sent again", ids.length,
                describe(blobName));
        return true;
    }

    /** The length every id of {@link #blockId} has for this block size. */
    private static int blockIdLength(long blockSize) {
        return blockId("0".repeat(32), blockSize, 0).length();
    }

    /** The index a block id of {@link #blockId} names for this block size, or -1. */
    static int blockIndex(String id, long blockSize) {
        try {
            String text = new String(Base64.getDecoder().decode(id), StandardCharsets.US_ASCII);
            String[] parts = text.split("-");
            if (parts.length != 3 || parts[0].length() != 32 || Long.parseLong(parts[1]) != blockSize) {
                return -1;
            }
            return Integer.parseInt(parts[2]);
        }
        catch (IllegalArgumentException ex) {
            return -1;
        }
    }

    /**
     * {@code base64("<32 hex>-<block size>-<index>")}: every id of a blob has the same length, as
     * the service demands, and names the content (the file's or the block's MD5) and the cut.
     */
    static String blockId(String hex32, long blockSize, int index) {
        return Base64.getEncoder().encodeToString(String.format(Locale.ROOT, "%s-%010d-%05d", hex32, blockSize, index)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Uncommitted blocks of the blob by id; clears them first when their ids would clash with ours. */
    private static Map<String, Long> stagedBlocks(BlockBlobClient blob, int idLength) {
        List<Block> blocks;
        try {
            blocks = blob.listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks();
        }
        catch (BlobStorageException ex) {
            if (ex.getStatusCode() == 404) {
                return Map.of();
            }
            throw ex;
        }
        Map<String, Long> staged = new HashMap<>();
        boolean foreign = false;
        for (Block block : blocks == null ? List.<Block>of() : blocks) {
            staged.put(block.getName(), block.getSizeLong());
            foreign |= block.getName().length() != idLength;
        }
        if (foreign) {
            // The service wants all block ids of a blob to have one length; committing an empty
            // list drops the other uploader's uncommitted blocks (the blob is replaced anyway).
            log.info("Blob {} has uncommitted blocks of another uploader; discarding them", blob.getBlobName());
            blob.commitBlockList(List.of(), true);
            return Map.of();
        }
        return staged;
    }

    static void stageBlock(BlockBlobClient blob, String id, byte[] buffer, int length) {
        stageBlock(blob, id, buffer, length, md5(buffer, length));
    }

    static byte[] md5(byte[] buffer, int length) {
        MessageDigest digest = md5();
        digest.update(buffer, 0, length);
        return digest.digest();
    }

    static void stageBlock(BlockBlobClient blob, String id, byte[] buffer, int length, byte[] md5) {
        // A whole array is sent in 8 KiB slices; a ByteBuffer would reach the socket as one write,
        // which the JDK copies into a temporary direct buffer of the block's size and keeps per
        // thread: about blockSize native memory per sending thread, beyond the heap. Only the
        // last, shorter block is copied.
        byte[] body = length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
        // The transactional MD5 makes the service reject a block damaged on the way.
        blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, BinaryData.fromBytes(body))
                .setContentMd5(md5), null, Context.NONE);
    }

    private void verify(BlockBlobClient blob, String blobName, byte[] md5, long size) {
        BlobProperties stored = blob.getProperties();
        if (!Arrays.equals(stored.getContentMd5(), md5) || stored.getBlobSize() != size) {
            throw new TransferException("corrupted transfer: after the upload " + describe(blobName) + " holds "
                    + stored.getBlobSize() + " bytes with Content-MD5 " + base64(stored.getContentMd5()) + ", expected "
                    + size + " bytes with " + base64(md5), true);
        }
    }

    private static BlobHttpHeaders headers(String blobName, byte[] md5) {
        String lower = blobName.toLowerCase(Locale.ROOT);
        String type = lower.endsWith(".csv") ? "text/csv"
                : lower.endsWith(".tsv") ? "text/tab-separated-values" : "application/octet-stream";
        return new BlobHttpHeaders().setContentMd5(md5).setContentType(type);
    }

    private static byte[] readAll(Path file, long size) {
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
            byte[] bytes = in.readNBytes(Math.toIntExact(size));
            if (bytes.length != size || in.read() != -1) {
                throw changedFile(file);
            }
            return bytes;
        }
        catch (IOException ex) {
            throw new TransferException("cannot read " + file + " to upload it (" + ex + ")", false, 0, ex);
        }
    }

    private static TransferException changedFile(Path file) {
        return new TransferException("the file " + file + " changed after it was validated (its size or MD5 differ): "
                + "validate it again before uploading", false);
    }

    private String describe(String blobName) {
        return "blob " + containerName + "/" + blobName;
    }

    /** Maps an SDK failure to a scrubbed {@link TransferException}. */
    static TransferException failure(String what, RuntimeException ex) {
        if (ex instanceof TransferException transfer) {
            return transfer;
        }
        if (ex instanceof BlobStorageException storage) {
            int status = storage.getStatusCode();
            boolean retryable = status >= 500 || status == 408 || status == 429;
            String code = storage.getErrorCode() == null ? "" : " " + storage.getErrorCode();
            String message = storage.getServiceMessage() == null ? "" : ": " + storage.getServiceMessage().lines().findFirst().orElse("");
            return new TransferException(what + " (HTTP " + status + code + message + ")", retryable, status, ex);
        }
        boolean io = ex instanceof UncheckedIOException || hasIoCause(ex);
        return new TransferException(what + " (" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")", io, 0, ex);
    }

    private static boolean hasIoCause(Throwable ex) {
        for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String base64(byte[] bytes) {
        return bytes == null ? "(none)" : Base64.getEncoder().encodeToString(bytes);
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("MD5 is part of every Java runtime", ex);
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                log.debug("Still waiting for block uploads in flight");
            }
        }
        catch (InterruptedException ex) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path target) {
        try {
            Files.deleteIfExists(target);
        }
        catch (IOException ex) {
            log.debug("Could not delete the partial download {}: {}", target, ex.toString());
        }
    }

    /** Serialized, monotonic progress for blocks completing on several threads. */
    private static final class Progress {
        private final TransferListener listener;
        private final long total;
        private long bytes;

        Progress(TransferListener listener, long total) {
            this.listener = listener;
            this.total = total;
        }

        synchronized void add(long delta) {
            bytes += delta;
            listener.progress(bytes, total);
        }

        synchronized long bytes() {
            return bytes;
        }
    }
}
