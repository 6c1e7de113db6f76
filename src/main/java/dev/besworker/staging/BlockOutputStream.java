package dev.besworker.staging;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;

/**
 * Writes a block blob of unknown length as a stream: the bytes fill block buffers from the
 * process's {@link BlockBuffers}, each full block is staged (with its transactional MD5, so the
 * service rejects a block damaged on the way) while the next one fills, {@code concurrency} at
 * once, and {@link #close()} commits the block list with the given headers. Nothing is visible
 * before the commit; {@link #abandon()} (or a failure) leaves only uncommitted blocks, which the
 * service drops within a week.
 * <p>
 * Unlike the SDK's {@code BlobOutputStream}, which copies every write and then each block again
 * into fresh arrays, the bytes are copied once, into a reused direct buffer. Not thread-safe.
 */
public final class BlockOutputStream extends OutputStream {

    private final BlockBlobClient blob;
    private final BlobHttpHeaders headers;
    private final int blockSize;
    /** 32 hex characters naming this write in its block ids (see {@link Blocks#id}). */
    private final String idPrefix = UUID.randomUUID().toString().replace("-", "");
    private final List<String> ids = new ArrayList<>();
    private final BlockBuffers buffers = BlockBuffers.shared();
    private final Semaphore mine;
    private final ExecutorService pool;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean abandoned;
    private ByteBuffer current;
    private boolean closed;

    /**
     * @param blob the blob to write (replaced on commit)
     * @param headers the blob's headers (content type), set on commit
     * @param blockSize bytes per block
     * @param concurrency blocks staged at once
     */
    public BlockOutputStream(BlockBlobClient blob, BlobHttpHeaders headers, int blockSize, int concurrency) {
        this.blob = blob;
        this.headers = headers;
        this.blockSize = blockSize;
        this.mine = new Semaphore(concurrency + 1);
        buffers.atLeast((long) blockSize * (concurrency + 1));
        this.pool = TransferPools.fixed("blob-write-", concurrency);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("the stream to " + blob.getBlobName() + " is closed");
        }
        checkFailure();
        int at = offset;
        int left = length;
        while (left > 0) {
            if (current == null) {
                current = take();
            }
            int n = Math.min(left, current.remaining());
            current.put(bytes, at, n);
            at += n;
            left -= n;
            if (!current.hasRemaining()) {
                send();
            }
        }
    }

    /** Stages the last block, waits for all of them and commits the list. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (current != null && current.position() > 0) {
                send();
            }
            pool.shutdown();
            awaitPool();
            checkFailure();
            blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids).setHeaders(headers), null,
                    Context.NONE);
        }
        catch (RuntimeException ex) {
            throw new IOException(ex.getMessage(), ex);
        }
        finally {
            closed = true;
            abandon();
        }
    }

    /** Stops without committing: blocks not yet sent are not sent, and every buffer goes back. */
    public void abandon() {
        closed = true;
        abandoned = true;
        if (current != null) {
            giveBack(current);
            current = null;
        }
        pool.shutdownNow().forEach(Runnable::run);
    }

    private void send() {
        ByteBuffer buffer = current.flip();
        String id = Blocks.id(idPrefix, blockSize, ids.size());
        ids.add(id);
        current = null;
        pool.execute(() -> {
            try {
                if (failure.get() == null && !abandoned) {
                    Blocks.stage(blob, id, buffer);
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

    private ByteBuffer take() throws IOException {
        try {
            ByteBuffer buffer = buffers.take(mine, blockSize, () -> failure.get() == null);
            if (buffer == null) {
                checkFailure(); // null only once a block failed: this throws
            }
            return buffer;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("writing " + blob.getBlobName() + " was interrupted");
        }
    }

    private void giveBack(ByteBuffer buffer) {
        buffers.give(buffer);
        mine.release();
    }

    private void checkFailure() throws IOException {
        RuntimeException failed = failure.get();
        if (failed != null) {
            throw new IOException(failed.getMessage(), failed);
        }
    }

    private void awaitPool() throws IOException {
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                checkFailure();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("writing " + blob.getBlobName() + " was interrupted");
        }
    }
}
