package dev.besworker.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A process's CPU seconds sampled every 50 ms on a thread of its own, to read what it used
 * between two moments of another process's life (Azurite's share of a worker's pass, case 1).
 * Hand-written: the JDK offers another process's CPU only as a total (ProcessHandle.Info), and
 * the harness needs it between two instants of a run it does not drive.
 */
final class CpuTimeline implements AutoCloseable {

    private final long pid;
    private final ConcurrentSkipListMap<Long, Double> samples = new ConcurrentSkipListMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    private CpuTimeline(long pid) {
        this.pid = pid;
        this.sampler = new Thread(this::sample, "cpu-" + pid);
        sampler.setDaemon(true);
    }

    static CpuTimeline of(long pid) {
        CpuTimeline timeline = new CpuTimeline(pid);
        timeline.samples.put(System.nanoTime(), Proc.cpuSeconds(pid));
        timeline.sampler.start();
        return timeline;
    }

    /** CPU seconds used from {@code fromNanos} to {@code toNanos} (System.nanoTime), to the nearest samples before each. */
    double between(long fromNanos, long toNanos) {
        return at(toNanos) - at(fromNanos);
    }

    private double at(long nanos) {
        Map.Entry<Long, Double> sample = samples.floorEntry(nanos);
        return sample != null ? sample.getValue() : samples.firstEntry().getValue();
    }

    private void sample() {
        while (running) {
            samples.put(System.nanoTime(), Proc.cpuSeconds(pid));
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
