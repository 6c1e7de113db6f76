package dev.besworker.staging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;

import dev.besworker.secrets.Redactor;

/**
 * The uploading half of {@link BlobStaging}: content-idempotent, resumable uploads in one
 * request or in blocks, committing blocks staged ahead by a {@link BlockStager}, and checking
 * the stored blob's MD5 afterwards (the rules are in {@link BlobStaging}'s class comment).
 */
final class BlobUploader {

    private static final Logger log = LoggerFactory.getLogger(BlobUploader.class);

    private final StagingContainer container;
    private final TransferSettings settings;

    BlobUploader(StagingContainer container, TransferSettings settings) {
        this.container = container;
        this.settings = settings;
    }

    UploadResult upload(Path file, String blobName, byte[] md5, PrestagedBlocks prestaged,
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
        BlockBlobClient blob = container.blockBlob(blobName);
        try {
            return uploadTo(blob, file, blobName, md5, size, prestaged, progress, stop);
        }
        catch (BlobStorageException ex) {
            if (!BlobErrorCode.CONTAINER_NOT_FOUND.equals(ex.getErrorCode())) {
                throw TransferException.of("upload of " + file + " to " + describe(blobName) + " failed", ex);
            }
            // Not there yet (the first upload to it) or deleted since: create it, and upload once more.
            log.info("Container {} does not exist; creating it", container.name());
            try {
                container.create();
                return uploadTo(blob, file, blobName, md5, size, null, progress, stop);
            }
            catch (RuntimeException again) {
                throw TransferException.of("upload of " + file + " to " + describe(blobName) + " failed", again);
            }
        }
        catch (RuntimeException ex) {
            throw TransferException.of("upload of " + file + " to " + describe(blobName) + " failed", ex);
        }
    }

    private UploadResult uploadTo(BlockBlobClient blob, Path file, String blobName, byte[] md5, long size,
            PrestagedBlocks prestaged, TransferListener progress, BooleanSupplier stop) {
        // The first request tells whether the container is there (ContainerNotFound, handled by
        // the caller): no request of its own to create it before every process's first upload.
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
            verify(blob, blobName, md5, size);
        }
        else {
            byte[] stored = uploadInOne(file, blob, blobName, md5, size, progress, stop);
            // Put Blob answers with the MD5 the service computed of what it stored: the same check
            // as reading the blob's properties back, one request fewer. Where it is missing, read back.
            if (stored == null) {
                verify(blob, blobName, md5, size);
            }
            else if (!Arrays.equals(stored, md5)) {
                throw corrupted(blobName, size, stored, size, md5);
            }
        }
        return new UploadResult(blobName, size, false);
    }

    /**
     * A stager that uploads the blocks of a file of {@code fileSize} bytes to {@code blobName}
     * while the caller reads it (see {@link BlockStager}); the caller closes it.
     */
    BlockStager stager(BlobStaging staging, String blobName, long fileSize, TransferListener listener) {
        Objects.requireNonNull(blobName, "blobName");
        try {
            container.ensureExists();
        }
        catch (RuntimeException ex) {
            throw TransferException.of("cannot prepare " + describe(blobName) + " for staging", ex);
        }
        BlockBlobClient blob = container.blockBlob(blobName);
        long blockSize = settings.blockSizeFor(fileSize);
        Map<String, Long> earlier;
        try {
            earlier = Blocks.staged(blob, Blocks.idLength(blockSize));
        }
        catch (RuntimeException ex) {
            throw TransferException.of("cannot list the blocks staged for " + describe(blobName), ex);
        }
        return new BlockStager(staging, blob, blobName, blockSize, settings.concurrency(), fileSize, listener, earlier);
    }

    /** Drops the uncommitted blocks of a blob that was never committed (best effort). */
    void discardUncommitted(String blobName) {
        BlockBlobClient blob = container.blockBlob(blobName);
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

    /** Uploads the file in one Put Blob; returns the MD5 the service computed of what it stored, or null. */
    private byte[] uploadInOne(Path file, BlockBlobClient blob, String blobName, byte[] md5, long size,
            TransferListener progress, BooleanSupplier stop) {
        byte[] bytes = readAll(file, size);
        if (!Arrays.equals(Md5.digest().digest(bytes), md5)) {
            throw changedFile(file);
        }
        if (stop.getAsBoolean()) {
            throw new TransferStoppedException("upload of " + file + " to " + describe(blobName) + " stopped before it began");
        }
        // The MD5 goes twice: as Content-MD5 the service checks the body against it, in the
        // headers it is stored as the blob's Content-MD5.
        BlockBlobItem stored = blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(bytes))
                .setHeaders(headers(blobName, md5)).setContentMd5(md5), null, Context.NONE).getValue();
        progress.progress(size, size);
        return stored == null ? null : stored.getContentMd5();
    }

    private void uploadInBlocks(Path file, BlockBlobClient blob, String blobName, byte[] md5, long size, long blockSize,
            TransferListener progress, BooleanSupplier stop) {
        int count = Math.toIntExact((size + blockSize - 1) / blockSize);
        List<String> ids = new ArrayList<>(count);
        String md5Hex = HexFormat.of().formatHex(md5);
        for (int i = 0; i < count; i++) {
            ids.add(Blocks.id(md5Hex, blockSize, i));
        }
        Map<String, Long> staged = Blocks.staged(blob, ids.get(0).length());
        Progress done = new Progress(progress, size);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        // One buffer more than uploads in flight, so the next block is read while they run; the
        // buffers come from the process's pool and go back to it.
        BlockBuffers.shared().atLeast(blockSize * (settings.concurrency() + 1));
        BlockBuffers.Share buffers = BlockBuffers.shared().share(settings.concurrency() + 1);
        AtomicBoolean abandoned = new AtomicBoolean();
        int reused = 0;
        boolean stopped = false;
        MessageDigest whole = Md5.digest();
        ExecutorService pool = TransferPools.fixed("blob-upload-", settings.concurrency());
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < count && failure.get() == null; i++) {
                ByteBuffer buffer = buffers.take((int) blockSize, () -> failure.get() != null);
                if (buffer == null) {
                    break;
                }
                boolean handedOn = false;
                try {
                    // Asked after waiting for a free buffer, so a stop is seen as soon as a block completes.
                    if (stop.getAsBoolean()) {
                        stopped = true;
                        break;
                    }
                    int length = (int) Math.min(blockSize, size - i * blockSize);
                    buffer.limit(length);
                    while (buffer.hasRemaining()) {
                        if (in.read(buffer) < 0) {
                            throw changedFile(file);
                        }
                    }
                    buffer.flip();
                    whole.update(buffer.duplicate());
                    String id = ids.get(i);
                    Long stagedSize = staged.get(id);
                    if (stagedSize != null && stagedSize == length) {
                        reused++;
                        done.add(length);
                        continue;
                    }
                    pool.execute(() -> {
                        try {
                            if (failure.get() == null && !abandoned.get()) {
                                Blocks.stage(blob, id, buffer);
                                done.add(length);
                            }
                        }
                        catch (RuntimeException ex) {
                            failure.compareAndSet(null, ex);
                        }
                        finally {
                            buffers.give(buffer);
                        }
                    });
                    handedOn = true;
                }
                finally {
                    if (!handedOn) {
                        buffers.give(buffer);
                    }
                }
            }
            if (!stopped && failure.get() == null && in.read(ByteBuffer.allocate(1)) != -1) {
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
            awaitQuietly(pool, abandoned);
        }
        if (failure.get() != null) {
            throw TransferException.of("upload of " + file + " to " + describe(blobName) + " failed while staging blocks",
                    failure.get());
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
     * Commits blocks staged ahead when every index has exactly one uncommitted block of the
     * staging's cut (block size, and the right length), whatever MD5 its id names; otherwise
     * (gone, incomplete, or two versions of a block) nothing is committed.
     */
    private boolean commitPrestaged(BlockBlobClient blob, String blobName, PrestagedBlocks prestaged, byte[] md5) {
        Map<String, Long> staged = Blocks.staged(blob, Blocks.idLength(prestaged.blockSize()));
        String[] ids = new String[prestaged.blocks()];
        boolean ambiguous = false;
        int found = 0;
        for (Map.Entry<String, Long> block : staged.entrySet()) {
            int index = Blocks.index(block.getKey(), prestaged.blockSize());
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

    private void verify(BlockBlobClient blob, String blobName, byte[] md5, long size) {
        BlobProperties stored = blob.getProperties();
        if (!Arrays.equals(stored.getContentMd5(), md5) || stored.getBlobSize() != size) {
            throw corrupted(blobName, stored.getBlobSize(), stored.getContentMd5(), size, md5);
        }
    }

    private TransferException corrupted(String blobName, long storedSize, byte[] storedMd5, long size, byte[] md5) {
        return new TransferException("corrupted transfer: after the upload " + describe(blobName) + " holds "
                + storedSize + " bytes with Content-MD5 " + base64(storedMd5) + ", expected " + size + " bytes with "
                + base64(md5), true);
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
        return container.describe(blobName);
    }

    private static String base64(byte[] bytes) {
        return bytes == null ? "(none)" : Base64.getEncoder().encodeToString(bytes);
    }

    private static void awaitQuietly(ExecutorService pool, AtomicBoolean abandoned) {
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                log.debug("Still waiting for block uploads in flight");
            }
        }
        catch (InterruptedException ex) {
            abandoned.set(true);
            // Blocks never started only give their buffers back (they see the flag and send nothing).
            pool.shutdownNow().forEach(Runnable::run);
            Thread.currentThread().interrupt();
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
