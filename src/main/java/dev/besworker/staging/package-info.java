/**
 * The worker's side of getting data to and from BES: checking an input CSV before anything is
 * sent ({@link dev.besworker.staging.CsvValidator}), staging it in blob storage with
 * content-idempotent, resumable uploads and blob-scoped SAS tokens
 * ({@link dev.besworker.staging.BlobStaging}), fetching results from the SAS URLs BES returns
 * ({@link dev.besworker.staging.ResultDownloader}), and naming blobs and output files safely
 * ({@link dev.besworker.staging.SafeNames}).
 * <p>
 * Bad input is an {@link dev.besworker.staging.InputRejectedException} naming file, line and fix;
 * transfer failures are {@link dev.besworker.staging.TransferException}s that say whether a retry
 * can help and never carry a secret.
 */
package dev.besworker.staging;
