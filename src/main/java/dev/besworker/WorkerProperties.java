package dev.besworker;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The worker's own settings ({@code besworker.*}).
 *
 * @param dataDir where the job repository (H2), logs and embedded Azurite data live
 * @param jobsDir where the job definitions ({@code <name>.yml}) are
 * @param heartbeatInterval how often a running worker proves it is alive in the owner table
 * @param stopTimeout how long a stop (SIGTERM, {@code stop}) waits for a running execution to end
 */
@Validated
@ConfigurationProperties("besworker")
public record WorkerProperties(
        @NotNull @DefaultValue("data") Path dataDir,
        @NotNull @DefaultValue("jobs") Path jobsDir,
        @NotNull @DefaultValue("5s") Duration heartbeatInterval,
        @NotNull @DefaultValue("30s") Duration stopTimeout) {
}
