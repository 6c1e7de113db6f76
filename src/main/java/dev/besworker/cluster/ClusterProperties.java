package dev.besworker.cluster;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the worker's lease ({@code besworker.cluster.*}).
 *
 * @param leaseDuration how long a worker's lease lasts without renewal (it is renewed every
 *     {@code besworker.heartbeat-interval}); after that, other workers may take its executions
 *     over. Null (the default) means six heartbeats (30 s with the default 5 s heartbeat).
 * @param testClockOffset TEST ONLY: shifts this worker's own clock by this much, to show that a
 *     skewed clock changes nothing (the lease is judged by the database's clock). Never set it in
 *     production: it only moves the times the worker shows.
 */
@Validated
@ConfigurationProperties("besworker.cluster")
public record ClusterProperties(Duration leaseDuration, @DefaultValue("0s") Duration testClockOffset) {

    /** The lease in force: the configured one, or six heartbeats. */
    public Duration lease(Duration heartbeat) {
        Duration lease = leaseDuration != null ? leaseDuration : heartbeat.multipliedBy(6);
        if (lease.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("besworker.cluster.lease-duration (" + lease + ") must be at least twice "
                    + "besworker.heartbeat-interval (" + heartbeat + "), or one late heartbeat loses the lease; "
                    + "raise it, or leave it unset for six heartbeats");
        }
        return lease;
    }
}
