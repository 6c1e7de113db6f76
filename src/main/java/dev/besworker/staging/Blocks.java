package dev.besworker.staging;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;

/**
 * Block ids and the block requests shared by the upload ({@link BlobUploader}) and the staging
 * while validating ({@link BlockStager}): one id scheme, so either can resume the other's blocks.
 */
final class Blocks {

    private static final Logger log = LoggerFactory.getLogger(Blocks.class);

    private Blocks() {
    }

    /**
     * {@code base64("<32 hex>-<block size>-<index>")}: every id of a blob has the same length, as
     * the service demands, and names the content (the file's or the block's MD5) and the cut.
     */
    static String id(String hex32, long blockSize, int index) {
        return Base64.getEncoder().encodeToString(String.format(Locale.ROOT, "%s-%010d-%05d", hex32, blockSize, index)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The length every id of {@link #id} has for this block size. */
    static int idLength(long blockSize) {
        return id("0".repeat(32), blockSize, 0).length();
    }

    /** The index a block id of {@link #id} names for this block size, or -1. */
    static int index(String id, long blockSize) {
        try {
            String text = new String(Base64.getDecoder().decode(id), StandardCharsets.US_ASCII);
            String[] parts = text.split("-");
            if (parts.length != 3 || parts[0].length() != 32 || Long.parseLong(parts[1]) != blockSize) {
                return -1;
            }
            return Integer.parseInt(parts[2]);
        }
        catch (IllegalArgumentException ex) {
            return -1;
        }
    }

    /** Uncommitted blocks of the blob by id; clears them first when their ids would clash with ours. */
    static Map<String, Long> staged(BlockBlobClient blob, int idLength) {
        List<Block> blocks;
        try {
            blocks = blob.listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks();
        }
        catch (BlobStorageException ex) {
            if (ex.getStatusCode() == 404) {
                return Map.of();
            }
            throw ex;
        }
        Map<String, Long> staged = new HashMap<>();
        boolean foreign = false;
        for (Block block : blocks == null ? List.<Block>of() : blocks) {
            staged.put(block.getName(), block.getSizeLong());
            foreign |= block.getName().length() != idLength;
        }
        if (foreign) {
            // The service wants all block ids of a blob to have one length; committing an empty
            // list drops the other uploader's uncommitted blocks (the blob is replaced anyway).
            log.info("Blob {} has uncommitted blocks of another uploader; discarding them", blob.getBlobName());
            blob.commitBlockList(List.of(), true);
            return Map.of();
        }
        return staged;
    }

    /** Stages the block between position and limit of {@code block} (a buffer of {@link BlockBuffers}). */
    static void stage(BlockBlobClient blob, String id, ByteBuffer block) {
        stage(blob, id, block, Md5.of(block));
    }

    static void stage(BlockBlobClient blob, String id, ByteBuffer block, byte[] md5) {
        // A direct buffer reaches the socket as it is; the transactional MD5 makes the service
        // reject a block damaged on the way.
        blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, BinaryData.fromByteBuffer(block.duplicate()))
                .setContentMd5(md5), null, Context.NONE);
    }
}
