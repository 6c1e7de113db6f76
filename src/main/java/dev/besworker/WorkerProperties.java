package dev.besworker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The worker's own settings ({@code besworker.*}).
 *
 * @param dataDir where the job repository (H2), logs and embedded Azurite data live
 * @param jobsDir where the job definitions ({@code <name>.yml}) are
 * @param heartbeatInterval how often a worker renews its lease in the job repository (and acts on
 *     stop requests); see {@code besworker.cluster.lease-duration}
 * @param stopTimeout how long a stop (SIGTERM, {@code stop}) waits for a running execution to end
 * @param maxConcurrentJobs how many runs {@code serve} runs at once, over all definitions (each
 *     definition's {@code max-concurrent-jobs} may lower it for that definition); the rest queue
 * @param webhook where {@code serve} posts outcomes of every definition (failures always), or null
 * @param webhookOnSuccess whether the global webhook also hears of successes
 * @param inboxPollInterval how often {@code serve} scans each inbox folder
 * @param purgeOlderThan {@code serve} purges, daily, executions, staging blobs and {@code done/}
 *     files older than this; null (the default) purges nothing by itself
 * @param purgeCron when {@code serve} runs that daily purge (six-field cron, local time)
 * @param healthTimeout how long one health probe of blob storage or a BES endpoint may take
 */
@Validated
@ConfigurationProperties("besworker")
public record WorkerProperties(
        @NotNull @DefaultValue("data") Path dataDir,
        @NotNull @DefaultValue("jobs") Path jobsDir,
        @NotNull @DefaultValue("5s") Duration heartbeatInterval,
        @NotNull @DefaultValue("30s") Duration stopTimeout,
        @Min(1) @DefaultValue("4") int maxConcurrentJobs,
        URI webhook,
        @DefaultValue("false") boolean webhookOnSuccess,
        @NotNull @DefaultValue("1s") Duration inboxPollInterval,
        Duration purgeOlderThan,
        @NotNull @DefaultValue("0 30 3 * * *") String purgeCron,
        @NotNull @DefaultValue("5s") Duration healthTimeout) {

    /** Like the record's own, but the webhook (whose URL often is its credential) shows only its host. */
    @Override
    public String toString() {
        return "WorkerProperties[dataDir=" + dataDir + ", jobsDir=" + jobsDir + ", heartbeatInterval=" + heartbeatInterval
                + ", stopTimeout=" + stopTimeout + ", maxConcurrentJobs=" + maxConcurrentJobs + ", webhook="
                + (webhook == null ? null : webhook.getScheme() + "://" + webhook.getRawAuthority() + "/***")
                + ", webhookOnSuccess=" + webhookOnSuccess + ", inboxPollInterval=" + inboxPollInterval
                + ", purgeOlderThan=" + purgeOlderThan + ", purgeCron=" + purgeCron + ", healthTimeout=" + healthTimeout
                + "]";
    }
}
