package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void backoffCeiling_doublesFromTheInitialWaitUpToTheMaximum() {
        // given
        RetryPolicy policy = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));

        // when / then
        assertThat(policy.backoffCeiling(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoffCeiling(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoffCeiling(4)).isEqualTo(Duration.ofSeconds(16));
        assertThat(policy.backoffCeiling(5)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.backoffCeiling(200)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void backoff_isFullJitterBetweenZeroAndTheCeiling() {
        // given
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(5));
        SplittableRandom random = new SplittableRandom(42);
        Duration smallest = Duration.ofDays(1);
        Duration largest = Duration.ZERO;

        // when
        for (int i = 0; i < 2000; i++) {
            Duration wait = policy.backoff(3, random);
            smallest = wait.compareTo(smallest) < 0 ? wait : smallest;
            largest = wait.compareTo(largest) > 0 ? wait : largest;
        }

        // then: spread over the whole range [0, 800 ms], not clustered at the top
        assertThat(smallest).isLessThan(Duration.ofMillis(50));
        assertThat(largest).isGreaterThan(Duration.ofMillis(750)).isLessThanOrEqualTo(Duration.ofMillis(800));
    }

    @Test
    void defaults_retrySeveralTimesWithinABoundedBudget() {
        // when
        RetryPolicy defaults = RetryPolicy.defaults();

        // then
        assertThat(defaults.maxAttempts()).isGreaterThan(1);
        assertThat(defaults.budget()).isPositive();
        assertThat(defaults.maxBackoff()).isGreaterThanOrEqualTo(defaults.initialBackoff());
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }

    @Test
    void invalidSettings_areRejected() {
        // when / then
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, null, Duration.ZERO)).isInstanceOf(NullPointerException.class);
    }
}
