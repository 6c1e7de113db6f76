package dev.besworker.serve;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How {@code serve} shares work with the other workers of its repository.
 *
 * @param scanInterval how often serve looks for work a dead worker left: inbox files in
 *     {@code .processing/} whose claim is free or held by a dead worker, and executions whose
 *     owner's lease expired (the take-over time is at most the lease plus this)
 */
@Validated
@ConfigurationProperties("besworker.cluster")
public record ServeClusterProperties(@NotNull @DefaultValue("5s") Duration scanInterval) {
}
