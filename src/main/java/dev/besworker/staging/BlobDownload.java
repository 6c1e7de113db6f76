package dev.besworker.staging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobDownloadResponse;

/**
 * The download half of {@link BlobStaging}: streams a blob to a file with the account's own
 * credentials (the fallback when BES results cannot be read through their SAS URLs).
 */
final class BlobDownload {

    private static final Logger log = LoggerFactory.getLogger(BlobDownload.class);

    private final StagingContainer container;

    BlobDownload(StagingContainer container) {
        this.container = container;
    }

    /** See {@link BlobStaging#download(String, Path, TransferListener)}. */
    Path download(String blobName, Path target, TransferListener listener) {
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(target, "target");
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        BlobClient blob = container.blob(blobName);
        String shown = container.describe(blobName);
        boolean done = false;
        try {
            long total = blob.getProperties().getBlobSize();
            MessageDigest md5 = Md5.digest();
            long received;
            byte[] expected;
            try (OutputStream file = Files.newOutputStream(target, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                    CountingDigestOutputStream out = new CountingDigestOutputStream(file, md5, progress, total)) {
                BlobDownloadResponse response = blob.downloadStreamWithResponse(out, null, null, null, false, null, Context.NONE);
                expected = response.getDeserializedHeaders().getContentMd5();
                received = out.count();
            }
            if (received != total) {
                throw new TransferException("download of " + shown + " ended after " + received + " of "
                        + total + " bytes", true);
            }
            if (expected != null && !Arrays.equals(expected, md5.digest())) {
                throw new TransferException("corrupted transfer: " + shown
                        + " does not match its Content-MD5 after download", true);
            }
            done = true;
            return target;
        }
        catch (TransferException ex) {
            throw ex;
        }
        catch (IOException ex) {
            throw new TransferException("cannot write " + target + " while downloading " + shown
                    + " (" + ex + ")", false, 0, ex);
        }
        catch (RuntimeException ex) {
            throw TransferException.of("download of " + shown + " failed", ex);
        }
        finally {
            if (!done) {
                deleteQuietly(target);
            }
        }
    }

    private static void deleteQuietly(Path target) {
        try {
            Files.deleteIfExists(target);
        }
        catch (IOException ex) {
            log.debug("Could not delete the partial download {}: {}", target, ex.toString());
        }
    }
}
