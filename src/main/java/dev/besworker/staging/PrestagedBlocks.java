package dev.besworker.staging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blocks of a file staged (uploaded but not committed) while the file was validated: the blob
 * they belong to and how it was cut. Each block's id names its index and its own MD5, so the
 * upload step finds them by listing the blob's uncommitted blocks. Travels with a run as a job
 * parameter; holds nothing secret.
 *
 * @param blobName the blob, relative to the container
 * @param blockSize bytes per block (the last may be shorter)
 * @param blocks how many blocks make the file
 * @param bytes the file's bytes as read while staging
 */
public record PrestagedBlocks(String blobName, long blockSize, int blocks, long bytes) {

    private static final Pattern ENCODED = Pattern.compile("(\\d+):(\\d+):(\\d+):(.+)");

    /** Checks the values. */
    public PrestagedBlocks {
        if (blockSize <= 0 || blocks <= 0 || bytes <= 0 || blobName == null || blobName.isEmpty()) {
            throw new IllegalArgumentException("staged blocks need a blob name, a block size, blocks and bytes");
        }
    }

    /** {@code blockSize:blocks:bytes:blobName}, for a job parameter. */
    public String encode() {
        return blockSize + ":" + blocks + ":" + bytes + ":" + blobName;
    }

    /** The value {@link #encode()} made, or null for null or a value it did not make. */
    public static PrestagedBlocks decode(String encoded) {
        if (encoded == null) {
            return null;
        }
        Matcher m = ENCODED.matcher(encoded);
        if (!m.matches()) {
            return null;
        }
        try {
            return new PrestagedBlocks(m.group(4), Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)),
                    Long.parseLong(m.group(3)));
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }
}
