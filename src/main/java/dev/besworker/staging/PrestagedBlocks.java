package dev.besworker.staging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blocks of a file staged (uploaded but not committed) while the file was validated: the blob
 * they belong to and how to name them again. Travels with a run as a job parameter so that the
 * upload step only has to commit them. Holds nothing secret.
 *
 * @param blobName the blob, relative to the container
 * @param token 32 hex digits naming this staging in the block ids
 * @param blockSize bytes per block (the last may be shorter)
 * @param blocks how many blocks were staged
 * @param bytes the file's bytes as read while staging
 */
public record PrestagedBlocks(String blobName, String token, long blockSize, int blocks, long bytes) {

    private static final Pattern ENCODED = Pattern.compile("([0-9a-f]{32}):(\\d+):(\\d+):(\\d+):(.+)");

    /** Checks the values. */
    public PrestagedBlocks {
        if (token == null || !token.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("a staging token is 32 lower-case hex digits");
        }
        if (blockSize <= 0 || blocks <= 0 || bytes <= 0 || blobName == null || blobName.isEmpty()) {
            throw new IllegalArgumentException("staged blocks need a blob name, a block size, blocks and bytes");
        }
    }

    /** {@code token:blockSize:blocks:bytes:blobName}, for a job parameter. */
    public String encode() {
        return token + ":" + blockSize + ":" + blocks + ":" + bytes + ":" + blobName;
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
            return new PrestagedBlocks(m.group(5), m.group(1), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(4)));
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }
}
