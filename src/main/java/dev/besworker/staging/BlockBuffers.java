package dev.besworker.staging;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The block buffers of every transfer in the process, kept and reused: uploads while validating
 * ({@link BlockStager}), block uploads ({@link BlobUploader}) and the BES emulator's result
 * writer take their block-sized arrays here and give them back. So a big array is allocated once
 * per process, not once per block or per run: with the garbage collectors' default sizing a
 * stream of large short-lived arrays is what makes the heap, and with it the RSS, grow (G1 counts
 * each one as a humongous object and expands the heap to make room for them).
 * <p>
 * The pool holds at most {@code limit} bytes, in use and idle together. A taker that would pass
 * it waits until a buffer comes back; one buffer is always granted, so a taker never waits on an
 * empty pool. Takers never hold a buffer while waiting for another one (they send or return what
 * they filled first), so waiting cannot deadlock. Idle buffers of another size are dropped when
 * room is needed. Thread-safe.
 */
public final class BlockBuffers {

    /**
     * The shared pool's limit: the buffers of two uploads at the default settings (8 MiB blocks,
     * 4 in flight, one being filled) at once. Serve's runs share them; more runs uploading at once
     * wait for buffers rather than grow the heap.
     */
    static final long DEFAULT_LIMIT = 2L * 5 * 8 * 1024 * 1024;

    private static final BlockBuffers SHARED = new BlockBuffers(DEFAULT_LIMIT);

    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition returned = lock.newCondition();
    private final Deque<byte[]> idle = new ArrayDeque<>();
    private long limit;
    private long held;
    private int inUse;

    BlockBuffers(long limit) {
        this.limit = limit;
    }

    /** The process's pool. */
    public static BlockBuffers shared() {
        return SHARED;
    }

    /**
     * Raises the limit to at least {@code bytes} (never lowers it): settings with larger blocks or
     * more in flight than the defaults get room for at least one transfer's buffers.
     */
    public void atLeast(long bytes) {
        lock.lock();
        try {
            if (bytes > limit) {
                limit = bytes;
                returned.signalAll();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * A buffer of exactly {@code size} bytes (its contents are whatever it held before), waiting
     * at most {@code timeoutMillis} for room.
     *
     * @return the buffer, or null when none was free in time
     */
    public byte[] take(int size, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lockInterruptibly();
        try {
            while (true) {
                byte[] reused = takeIdle(size);
                if (reused != null) {
                    inUse++;
                    return reused;
                }
                while (held + size > limit && !idle.isEmpty()) {
                    held -= idle.removeFirst().length; // another size: let it go
                }
                if (held + size <= limit || inUse == 0) {
                    held += size;
                    inUse++;
                    return new byte[size];
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                returned.awaitNanos(left);
            }
        }
        finally {
            lock.unlock();
        }
    }

    /** Gives a buffer from {@link #take} back. */
    public void give(byte[] buffer) {
        lock.lock();
        try {
            inUse--;
            if (held > limit) {
                held -= buffer.length;
            }
            else {
                idle.addLast(buffer);
            }
            returned.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /** Bytes allocated and kept by the pool (in use and idle). */
    long held() {
        lock.lock();
        try {
            return held;
        }
        finally {
            lock.unlock();
        }
    }

    private byte[] takeIdle(int size) {
        for (var it = idle.iterator(); it.hasNext();) {
            byte[] buffer = it.next();
            if (buffer.length == size) {
                it.remove();
                return buffer;
            }
        }
        return null;
    }
}
