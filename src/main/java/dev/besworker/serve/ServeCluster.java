package dev.besworker.serve;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import dev.besworker.intake.InboxClaims;

/**
 * What {@code serve} shares with the other workers of its repository: the claims of inbox files,
 * the run slots of limited definitions, the executions dead workers left, and how often it looks
 * for those.
 *
 * @param claims inbox claims in the database
 * @param limits definitions' run slots counted across the cluster
 * @param orphans executions whose owner's lease has expired (judged by the database's clock)
 * @param scanInterval how often serve looks for what a dead worker left
 */
public record ServeCluster(InboxClaims claims, RunDispatcher.SharedLimits limits, Supplier<List<Long>> orphans,
        Duration scanInterval) {
}
