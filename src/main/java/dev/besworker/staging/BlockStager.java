package dev.besworker.staging;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.storage.blob.specialized.BlockBlobClient;

/**
 * Stages a file's blocks while {@link CsvValidator} reads it (a {@link ChunkSink}), so that
 * validating, hashing and uploading are one pass over the file. The bytes staged are the bytes
 * hashed, block by block with a transactional MD5, under ids that name each block's index and
 * MD5 (so a pass interrupted by a kill is resumed by the next one: blocks already there with
 * the same id are not sent again); nothing is committed here: the upload step
 * commits the blocks once the run is launched ({@link BlobStaging#upload(java.nio.file.Path,
 * String, byte[], PrestagedBlocks, TransferListener, java.util.function.BooleanSupplier)}).
 * <p>
 * Staging ahead is an optimisation and never decides an outcome: when a block fails, the stager
 * goes quiet, {@link #finish()} returns null and the upload step sends the file as it would have
 * anyway. {@link #close()} without a successful {@code finish()} discards what was staged.
 * Memory: {@code blockSize × (concurrency + 1)}. Not thread-safe: one validating thread feeds it.
 */
public final class BlockStager implements ChunkSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockStager.class);

    private final BlobStaging staging;
    private final BlockBlobClient blob;
    private final String blobName;
    /** Blocks an earlier, interrupted pass over the same file staged: id to size. */
    private final Map<String, Long> earlier;
    private final AtomicInteger reused = new AtomicInteger();
    private final int blockSize;
    private final int bufferCount;
    private final BlockingQueue<byte[]> buffers;
    private final ExecutorService pool;
    private final TransferListener progress;
    private final long expectedBytes;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private int allocated;
    private byte[] current;
    private int filled;
    private int index;
    private long bytes;
    private boolean finished;
    private boolean closed;

    BlockStager(BlobStaging staging, BlockBlobClient blob, String blobName, long blockSize, int concurrency,
            long expectedBytes, TransferListener progress, Map<String, Long> earlier) {
        this.staging = staging;
        this.earlier = earlier;
        this.blob = blob;
        this.blobName = blobName;
        this.blockSize = Math.toIntExact(blockSize);
        this.bufferCount = concurrency + 1;
        this.buffers = new ArrayBlockingQueue<>(bufferCount);
        this.expectedBytes = expectedBytes;
        this.progress = progress == null ? TransferListener.NONE : progress;
        this.pool = TransferPools.fixed("blob-stage-", concurrency);
    }

    /** The blob the blocks are staged for. */
    public String blobName() {
        return blobName;
    }

    @Override
    public void accept(byte[] chunk, int offset, int length) {
        if (failure.get() != null || closed) {
            return;
        }
        int at = offset;
        int left = length;
        while (left > 0) {
            if (current == null) {
                current = takeBuffer();
                if (current == null) {
                    return;
                }
            }
            int n = Math.min(left, blockSize - filled);
            System.arraycopy(chunk, at, current, filled, n);
            filled += n;
            at += n;
            left -= n;
            bytes += n;
            if (filled == blockSize) {
                send();
            }
        }
    }

    /**
     * Sends the last block and waits for all of them.
     *
     * @return what was staged, or null when staging failed (the reason is logged; nothing is lost)
     */
    public PrestagedBlocks finish() {
        if (closed || finished) {
            throw new IllegalStateException("the stager of " + blobName + " is already finished");
        }
        if (failure.get() == null && filled > 0) {
            send();
        }
        pool.shutdown();
        awaitPool();
        if (failure.get() != null || index == 0) {
            if (failure.get() != null) {
                log.warn("Staging {} while validating failed ({}); the upload step sends the file instead",
                        blobName, dev.besworker.secrets.Redactor.scrub(String.valueOf(failure.get().getMessage()).lines().findFirst().orElse("")));
            }
            return null;
        }
        finished = true;
        if (reused.get() > 0) {
            log.info("Staging {} reused {} of {} blocks staged by an earlier, interrupted attempt", blobName, reused.get(),
                    index);
        }
        return new PrestagedBlocks(blobName, blockSize, index, bytes);
    }

    /** Discards the staged blocks unless {@link #finish()} handed them on. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            pool.shutdownNow();
            awaitPool();
            if (index > 0) {
                staging.discardUncommitted(blobName);
            }
        }
    }

    private void send() {
        byte[] buffer = current;
        int length = filled;
        int blockIndex = index++;
        current = null;
        filled = 0;
        pool.execute(() -> {
            try {
                if (failure.get() == null) {
                    // The id names the block's own MD5: a block staged before under this id holds these very bytes.
                    byte[] md5 = Md5.of(buffer, length);
                    String id = Blocks.id(HexFormat.of().formatHex(md5), blockSize, blockIndex);
                    Long staged = earlier.get(id);
                    if (staged != null && staged == length) {
                        reused.incrementAndGet();
                    }
                    else {
                        Blocks.stage(blob, id, buffer, length, md5);
                    }
                    progress.progress(sent.addAndGet(length), expectedBytes);
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

    private byte[] takeBuffer() {
        if (allocated < bufferCount) {
            allocated++;
            return new byte[blockSize];
        }
        try {
            while (failure.get() == null) {
                byte[] buffer = buffers.poll(200, TimeUnit.MILLISECONDS);
                if (buffer != null) {
                    return buffer;
                }
            }
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new TransferStoppedException("staging of " + blobName + " was interrupted"));
            return null;
        }
    }

    private void awaitPool() {
        try {
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                failure.compareAndSet(null, new TransferException("staging of " + blobName + " did not end", true));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new TransferStoppedException("staging of " + blobName + " was interrupted"));
        }
    }
}
