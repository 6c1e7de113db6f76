package dev.besworker.runs;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.besworker.staging.BlockBuffers;

/**
 * Gives the start-up's heap back once, before the process's first big input is read.
 * <p>
 * Why: starting the worker (Spring, the job repository, the embedded services) allocates a few
 * hundred MB of short-lived objects in a few seconds, and the garbage collector sizes the heap
 * for that burst: with {@code java -jar} and no options (G1, its initial heap a 64th of the RAM)
 * the heap stood at about 220 MB after the start. The transfer of a big file that follows
 * allocates next to nothing (its buffers are reused, see
 * {@link dev.besworker.staging.BlockBuffers}), but would still touch that heap's young
 * generation bit by bit until the RSS reached it. One full collection at that point (about 25 MB
 * live, tens of milliseconds) lets the collector shrink the heap to what is live and return the
 * rest; it runs once per process, only for an input of at least {@link #BIG} bytes, and is a
 * no-op where explicit collections are disabled ({@code -XX:+DisableExplicitGC}).
 * <p>
 * How far the heap shrinks is the JVM's {@code MaxHeapFreeRatio}: by default the collector keeps
 * up to 70 % of the heap free after a full collection, so about 25 MB live left 80 MB committed,
 * and the transfer's few young collections touched all of it. Just before that collection the
 * worker lowers it to 20 % (and {@code MinHeapFreeRatio} to 10 %), through the JVM's
 * management interface, as a process does for itself ({@link ProcessMemory#keepLessFreeHeap()}):
 * 40 MB stay committed, about 28 MB less peak RSS for {@code java -jar ... run} at 1 GB (README,
 * "Performance"). Both are manageable options of HotSpot; where a user set either (or the JVM
 * has no such options) they are left as they are. The collector still grows the heap when a
 * later burst needs it.
 * <p>
 * After each pass over an input that big, when no other transfer is using them, the block
 * buffers go too ({@link BlockBuffers#releaseIdle()}, 20 MB by default): the rest of a run (the
 * launch, the await, the download) does not use them. A direct buffer's memory is freed only
 * when the collector finds the buffer unreachable, and a run allocates too little for that to
 * happen by itself, so a full collection follows (about 50 ms at 1 GB); the next big transfer
 * takes new buffers.
 */
final class HeapTrim {

    /** Inputs at least this big trigger the trim: below it a run's own memory is small anyway. */
    static final long BIG = 256L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(HeapTrim.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private HeapTrim() {
    }

    /** After the pass over an input of {@code bytes} bytes (its stager closed). */
    static void afterInputOf(long bytes) {
        if (bytes < BIG) {
            return;
        }
        long released = BlockBuffers.shared().releaseIdle();
        if (released > 0) {
            long started = System.nanoTime();
            System.gc();
            log.debug("block buffers let go after a {} MB input: {} MB in {} ms", bytes >> 20, released >> 20,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Before reading an input of {@code bytes} bytes. */
    static void beforeInputOf(long bytes) {
        if (bytes < BIG || !DONE.compareAndSet(false, true)) {
            return;
        }
        Runtime runtime = Runtime.getRuntime();
        long before = runtime.totalMemory();
        long started = System.nanoTime();
        ProcessMemory.keepLessFreeHeap();
        System.gc();
        log.debug("heap trimmed before a {} MB input: {} -> {} MB committed in {} ms", bytes >> 20, before >> 20,
                runtime.totalMemory() >> 20, (System.nanoTime() - started) / 1_000_000);
    }
}
