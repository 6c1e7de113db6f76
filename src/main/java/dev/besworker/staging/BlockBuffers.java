package dev.besworker.staging;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The block buffers of every transfer in the process, kept and reused: uploads while validating
 * ({@link BlockStager}), block uploads ({@link BlobUploader}) and the BES emulator's result
 * writer take their block-sized buffers here and give them back. So a block buffer is allocated
 * once per big input's pass at most (see {@link #releaseIdle()}), never once per block, and not
 * at all while other transfers keep the pool's buffers in use.
 * <p>
 * The buffers are direct (outside the Java heap): a block is then written to the socket as it is
 * (a heap buffer is first copied into a temporary direct one), the last, shorter block is sent
 * as a slice instead of a copy, and the heap holds no block-sized arrays: with G1's default
 * regions of this machine (4 MB) an 8 MiB array took three regions (12 MB), and a stream of
 * them made G1 expand the heap, and with it the RSS, by hundreds of MB.
 * <p>
 * The pool holds at most {@code limit} bytes, in use and idle together. A taker that would pass
 * it waits until a buffer comes back; one buffer is always granted, so a taker never waits on an
 * empty pool. Takers never hold a buffer while waiting for another one (they send or return what
 * they filled first), so waiting cannot deadlock. Idle buffers of another size are dropped when
 * room is needed. {@link #releaseIdle()} lets the idle ones go when no transfer is using the
 * pool (after a big input's pass). Thread-safe.
 */
public final class BlockBuffers {

    /**
     * The shared pool's limit: one upload's buffers at the default settings (4 MiB blocks, 4 in
     * flight, one being filled: 20 MiB), raised by {@link #atLeast} for larger settings. Serve's runs
     * share them: more runs uploading at once wait for buffers rather than take more memory
     * (against Azurite on two cores, more blocks in flight than that did not upload faster).
     */
    static final long DEFAULT_LIMIT = TransferSettings.defaults().bufferBytes();

    private static final BlockBuffers SHARED = new BlockBuffers(DEFAULT_LIMIT);

    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition returned = lock.newCondition();
    private final Deque<ByteBuffer> idle = new ArrayDeque<>();
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
     * A direct buffer of exactly {@code size} bytes, cleared (its contents are whatever it held
     * before), waiting at most {@code timeoutMillis} for room.
     *
     * @return the buffer, or null when none was free in time
     */
    public ByteBuffer take(int size, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lockInterruptibly();
        try {
            while (true) {
                ByteBuffer reused = takeIdle(size);
                if (reused != null) {
                    inUse++;
                    return reused.clear();
                }
                while (held + size > limit && !idle.isEmpty()) {
                    held -= idle.removeFirst().capacity(); // another size: let it go
                }
                if (held + size <= limit || inUse == 0) {
                    held += size;
                    inUse++;
                    return ByteBuffer.allocateDirect(size);
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
    public void give(ByteBuffer buffer) {
        lock.lock();
        try {
            inUse--;
            if (held > limit) {
                held -= buffer.capacity();
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

    /** A transfer's share of the pool: at most {@code buffers} of its buffers at once. */
    public Share share(int buffers) {
        return new Share(this, buffers);
    }

    /** One transfer's buffers: at most a fixed number taken and not yet given back. Thread-safe. */
    public static final class Share {
        private final BlockBuffers pool;
        private final Semaphore mine;

        private Share(BlockBuffers pool, int buffers) {
            this.pool = pool;
            this.mine = new Semaphore(buffers);
        }

        /**
         * A buffer of {@code size} bytes, waiting as long as it takes (other transfers may hold
         * them all for a while) unless {@code giveUp} turns true first.
         *
         * @return the buffer, or null when {@code giveUp} turned true
         */
        public ByteBuffer take(int size, BooleanSupplier giveUp) throws InterruptedException {
            while (!giveUp.getAsBoolean()) {
                if (!mine.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                ByteBuffer buffer = pool.take(size, 200);
                if (buffer != null) {
                    return buffer;
                }
                mine.release();
            }
            return null;
        }

        /** Gives a buffer from {@link #take} back. */
        public void give(ByteBuffer buffer) {
            pool.give(buffer);
            mine.release();
        }
    }

    /**
     * Lets every idle buffer go when none is in use, so that a process whose big transfer is
     * over does not keep its block buffers through the rest of a run (40 MB by default): the
     * collector frees their native memory with the buffer objects, which is safe even if a
     * client still held one (a buffer is freed only once nothing refers to it). While any buffer
     * is in use (another run of {@code serve} uploading) the pool keeps them for reuse.
     *
     * @return the bytes let go
     */
    public long releaseIdle() {
        lock.lock();
        try {
            if (inUse > 0) {
                return 0;
            }
            long released = 0;
            while (!idle.isEmpty()) {
                released += idle.removeFirst().capacity();
            }
            held -= released;
            return released;
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

    private ByteBuffer takeIdle(int size) {
        for (var it = idle.iterator(); it.hasNext();) {
            ByteBuffer buffer = it.next();
            if (buffer.capacity() == size) {
                it.remove();
                return buffer;
            }
        }
        return null;
    }
}
