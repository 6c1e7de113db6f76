package dev.besworker.staging;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How inputs go to blob storage ({@code besworker.transfer.*}): files larger than one block are
 * staged in blocks of {@code blockSize}, {@code concurrency} at once, while they are validated.
 * The defaults were measured against Azurite on the same machine (README, "Performance"); over
 * a real network to Azure more blocks in flight usually pay (e.g. 8 MB × 8).
 *
 * @param blockSize bytes per block, 64 KB to 1 GB; each block in flight is held in memory
 * @param concurrency blocks in flight, 1 to 64; memory is about {@code blockSize × (concurrency + 1)}
 */
@Validated
@ConfigurationProperties("besworker.transfer")
public record TransferProperties(@NotNull @DefaultValue(TransferSettings.DEFAULT_BLOCK_SIZE) DataSize blockSize,
        @Min(1) @Max(64) @DefaultValue(TransferSettings.DEFAULT_CONCURRENCY) int concurrency) {

    /** The settings {@link BlobStaging} takes. */
    public TransferSettings settings() {
        return new TransferSettings(blockSize.toBytes(), concurrency);
    }
}
