package dev.besworker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.besworker.definition.PollSettings;

/** The await step's poll schedule, computed (no clock involved). */
class PollScheduleTest {

    private static final PollSettings DEFAULTS = PollSettings.defaults();

    @Test
    void firstPolls_comeQuickly_thenTheInitialInterval() {
        // given
        List<Duration> waits = new ArrayList<>();
        Duration wait = AwaitCompletionTasklet.firstInterval(DEFAULTS);

        // when
        for (int i = 0; i < 6; i++) {
            waits.add(wait);
            wait = AwaitCompletionTasklet.nextInterval(wait, DEFAULTS);
        }

        // then
        assertThat(waits).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMillis(4500));
    }

    @Test
    void intervals_neverExceedTheMaximum_andReachIt() {
        // given
        Duration wait = AwaitCompletionTasklet.firstInterval(DEFAULTS);

        // when
        Duration longest = Duration.ZERO;
        for (int i = 0; i < 100; i++) {
            wait = AwaitCompletionTasklet.nextInterval(wait, DEFAULTS);
            longest = wait.compareTo(longest) > 0 ? wait : longest;
        }

        // then
        assertThat(longest).isEqualTo(DEFAULTS.maxInterval());
    }

    @Test
    void tenMinuteJob_takesAtMost21Polls_andIsNoticedWithinTheMaximumInterval() {
        // given: a job that ends exactly ten minutes after the start
        long jobEnd = Duration.ofMinutes(10).toMillis();

        // when
        long at = 0;
        int polls = 1; // the first poll right after the start
        Duration wait = AwaitCompletionTasklet.firstInterval(DEFAULTS);
        while (at < jobEnd) {
            at += wait.toMillis();
            polls++;
            wait = AwaitCompletionTasklet.nextInterval(wait, DEFAULTS);
        }

        // then
        assertThat(polls).isLessThanOrEqualTo(21);
        assertThat(at - jobEnd).isLessThanOrEqualTo(DEFAULTS.maxInterval().toMillis());
    }

    @Test
    void initialIntervalShorterThanTheFirstQuickPoll_isUsedAsIs() {
        // given
        PollSettings fast = new PollSettings(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMinutes(5));

        // when
        Duration first = AwaitCompletionTasklet.firstInterval(fast);
        Duration second = AwaitCompletionTasklet.nextInterval(first, fast);

        // then
        assertThat(first).isEqualTo(Duration.ofMillis(200));
        assertThat(second).isEqualTo(Duration.ofMillis(300));
    }
}
