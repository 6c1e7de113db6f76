package dev.besworker.bes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A sleeper that returns at once and remembers every wait it was asked for. */
final class RecordingSleeper implements Sleeper {

    /** Something to do when asked to wait (e.g. bring a server up); may throw to simulate a stop. */
    @FunctionalInterface
    interface OnSleep {
        void run(int index, Duration duration) throws InterruptedException;
    }

    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    private final OnSleep onSleep;

    RecordingSleeper() {
        this((index, duration) -> {
        });
    }

    RecordingSleeper(OnSleep onSleep) {
        this.onSleep = onSleep;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        int index;
        synchronized (waits) {
            index = waits.size();
            waits.add(duration);
        }
        onSleep.run(index, duration);
    }

    List<Duration> waits() {
        synchronized (waits) {
            return List.copyOf(waits);
        }
    }
}
