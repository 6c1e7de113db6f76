package dev.besworker.staging;

import org.springframework.util.unit.DataSize;

/**
 * How {@link BlobStaging} uploads large files: in blocks of {@code blockSize} bytes, with up to
 * {@code concurrency} blocks in flight. Files no larger than one block go in a single request.
 * Memory use is about {@link #bufferBytes()}.
 *
 * @param blockSize bytes per block, 64 KiB to 1 GiB (held in memory); raised automatically for files that
 *        would otherwise need more than 50,000 blocks
 * @param concurrency parallel block uploads, 1 to 64
 */
public record TransferSettings(long blockSize, int concurrency) {

    /** The most blocks a block blob may have. */
    static final int MAX_BLOCKS = 50_000;

    /** Checks the ranges the storage service allows. */
    public TransferSettings {
        if (blockSize < 64 * 1024 || blockSize > 1024L * 1024 * 1024) {
            throw new IllegalArgumentException("blockSize must be between 64 KiB and 1 GiB, got " + blockSize);
        }
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("concurrency must be between 1 and 64, got " + concurrency);
        }
    }

    /**
     * The default block size, as {@code besworker.transfer.block-size} takes it. 4 MB, the Azure
     * SDK's own default: against Azurite on two cores, 4 MB and 8 MB blocks (4 in flight) uploaded
     * 1 GB equally fast, and the smaller blocks halve the buffers an upload holds (README,
     * "Performance").
     */
    public static final String DEFAULT_BLOCK_SIZE = "4MB";

    /** The default number of blocks in flight, as {@code besworker.transfer.concurrency} takes it. */
    public static final String DEFAULT_CONCURRENCY = "4";

    /** The defaults: {@value #DEFAULT_BLOCK_SIZE} blocks, {@value #DEFAULT_CONCURRENCY} in flight. */
    public static TransferSettings defaults() {
        return new TransferSettings(DataSize.parse(DEFAULT_BLOCK_SIZE).toBytes(), Integer.parseInt(DEFAULT_CONCURRENCY));
    }

    /** The memory an upload's buffers take at most: one block per block in flight and one being filled. */
    public long bufferBytes() {
        return blockSize * (concurrency + 1L);
    }

    /** Whether a file of {@code fileSize} bytes goes up in blocks (larger than one block) rather than in one request. */
    public boolean inBlocks(long fileSize) {
        return fileSize > blockSizeFor(fileSize);
    }

    /** The block size for a file of {@code fileSize} bytes: at least enough for 50,000 blocks. */
    long blockSizeFor(long fileSize) {
        long needed = (fileSize + MAX_BLOCKS - 1) / MAX_BLOCKS;
        return Math.max(blockSize, needed);
    }
}
