/**
 * The worker's client for the Azure ML Studio (classic) Batch Execution Service: submit a job,
 * start it, poll its status, cancel it, over plain HTTPS with {@code api-version=2.0}.
 *
 * <p>{@link dev.besworker.bes.BesClient} is the entry point. It retries transient failures within
 * a {@link dev.besworker.bes.RetryPolicy}, never retries a submit that may already have created a
 * remote job (see {@link dev.besworker.bes.BesException#submitOutcomeUnknown()}), and reports
 * every failure as a {@link dev.besworker.bes.BesException} whose message is short, says what to
 * do and carries no secret. Keys, connection strings and SAS tokens travel as
 * {@link dev.besworker.secrets.Secret}s and are revealed only into the request itself.
 */
package dev.besworker.bes;
