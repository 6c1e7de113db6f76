package dev.besworker.staging;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
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
 * Memory: at most {@code blockSize × (concurrency + 1)}, from the process's {@link BlockBuffers}. Not thread-safe: one validating thread feeds it.
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
    private final BlockBuffers buffers = BlockBuffers.shared();
    /** This stager's share of the pool: one buffer filling, {@code concurrency} being sent. */
    private final Semaphore mine;
    private final ExecutorService pool;
    private final TransferListener progress;
    private final long expectedBytes;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private ByteBuffer current;
    private int index;
    private long bytes;
    private boolean finished;
    private volatile boolean closed;

    BlockStager(BlobStaging staging, BlockBlobClient blob, String blobName, long blockSize, int concurrency,
            long expectedBytes, TransferListener progress, Map<String, Long> earlier) {
        this.staging = staging;
        this.earlier = earlier;
        this.blob = blob;
        this.blobName = blobName;
        this.blockSize = Math.toIntExact(blockSize);
        buffers.atLeast(blockSize * (concurrency + 1));
        this.mine = new Semaphore(concurrency + 1);
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
            int n = Math.min(left, current.remaining());
            current.put(chunk, at, n);
            at += n;
            left -= n;
            bytes += n;
            if (!current.hasRemaining()) {
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
        if (failure.get() == null && current != null && current.position() > 0) {
            send();
        }
        releaseCurrent();
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
        releaseCurrent();
        if (!finished) {
            // Blocks never started give their buffers back (the task sees closed and sends nothing).
            pool.shutdownNow().forEach(Runnable::run);
            awaitPool();
            if (index > 0) {
                staging.discardUncommitted(blobName);
            }
        }
    }

    private void send() {
        ByteBuffer buffer = current.flip();
        int length = buffer.remaining();
        int blockIndex = index++;
        current = null;
        pool.execute(() -> {
            try {
                if (failure.get() == null && !closed) {
                    // The id names the block's own MD5: a block staged before under this id holds these very bytes.
                    byte[] md5 = Md5.of(buffer);
                    String id = Blocks.id(HexFormat.of().formatHex(md5), blockSize, blockIndex);
                    Long staged = earlier.get(id);
                    if (staged != null && staged == length) {
                        reused.incrementAndGet();
                    }
                    else {
                        Blocks.stage(blob, id, buffer, md5);
                    }
                    progress.progress(sent.addAndGet(length), expectedBytes);
                }
            }
            catch (RuntimeException ex) {
                failure.compareAndSet(null, ex);
            }
            finally {
                giveBack(buffer);
            }
        });
    }

    /** A block buffer from the process's pool; other transfers may hold them all for a while. */
    private ByteBuffer takeBuffer() {
        try {
            return buffers.take(mine, blockSize, () -> failure.get() == null && !closed);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new TransferStoppedException("staging of " + blobName + " was interrupted"));
            return null;
        }
    }

    /** Gives back the buffer being filled, when it will not be sent. */
    private void releaseCurrent() {
        if (current != null) {
            giveBack(current);
            current = null;
        }
    }

    private void giveBack(ByteBuffer buffer) {
        buffers.give(buffer);
        mine.release();
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
