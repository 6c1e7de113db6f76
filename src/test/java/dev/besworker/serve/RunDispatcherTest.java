package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Restarts queued in serve (the console's) are told how they ended, also when serve stops before they ran. */
class RunDispatcherTest {

    @Test
    void stoppingServe_tellsEachQueuedRestartItWasDropped_andTheRunningOneHowItEnded() throws Exception {
        // given: one slot, taken by the restart of execution 1, and the restart of execution 2 waiting for it
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        RunDispatcher dispatcher = new RunDispatcher(1, Map.of(), RunDispatcher.SharedLimits.NONE,
                (work, stopping) -> {
                    throw new AssertionError("no inbox work here");
                },
                (executionId, stopping) -> {
                    heard.add("restarting " + executionId);
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                },
                result -> {
                }, Clock.systemUTC(), Duration.ofSeconds(1));
        dispatcher.start();
        // the running restart's callback records how it ended, which takes a while (a database write)
        Runnable recordsHowItEnded = () -> {
            try {
                Thread.sleep(200);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            heard.add("1 ran");
        };
        assertThat(dispatcher.submitRestart(1, "reviews", recordsHowItEnded, () -> heard.add("1 dropped")))
                .isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("restarting 1"));
        assertThat(dispatcher.submitRestart(2, "reviews", () -> heard.add("2 ran"), () -> heard.add("2 dropped")))
                .isTrue();

        // when: serve stops dispatching, then the running restart ends
        dispatcher.stopDispatching();
        release.countDown();
        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(10))).isTrue();

        // then: serve, idle, may close the database: the running restart's callback has run
        assertThat(heard).containsExactly("restarting 1", "2 dropped", "1 ran");
        assertThat(dispatcher.submitRestart(3, "reviews", () -> heard.add("3 ran"), () -> heard.add("3 dropped")))
                .as("a stopping serve queues nothing more").isFalse();
    }
}
