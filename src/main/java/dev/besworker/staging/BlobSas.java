package dev.besworker.staging;

import java.time.OffsetDateTime;
import java.util.Objects;

import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;

import dev.besworker.secrets.Secret;

/**
 * The SAS half of {@link BlobStaging}: blob-scoped service SAS tokens signed with the account
 * key, and read URLs built from them (or from the SAS a connection string carries instead of a
 * key). Everything it returns is a {@link Secret}.
 */
final class BlobSas {

    private final StagingContainer container;
    private final Secret connectionSas;

    /** @param connectionSas the {@code SharedAccessSignature} of the connection string, or null */
    BlobSas(StagingContainer container, Secret connectionSas) {
        this.container = container;
        this.connectionSas = connectionSas;
    }

    /** See {@link BlobStaging#sasToken(String, boolean, OffsetDateTime)}. */
    Secret token(String blobName, boolean write, OffsetDateTime expiry) {
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(expiry, "expiry");
        BlobSasPermission permission = write
                ? new BlobSasPermission().setWritePermission(true).setCreatePermission(true)
                : new BlobSasPermission().setReadPermission(true);
        try {
            String token = container.blob(blobName).generateSas(new BlobServiceSasSignatureValues(expiry, permission));
            return Secret.of("?" + token);
        }
        catch (RuntimeException ex) {
            throw new TransferException("cannot sign a SAS for " + container.describe(blobName)
                    + ": the storage connection string must contain an AccountKey (" + ex.getMessage() + ")", false, 0, ex);
        }
    }

    /** See {@link BlobStaging#readUrl(String, OffsetDateTime)}. */
    Secret readUrl(String blobName, OffsetDateTime expiry) {
        String url = container.blob(blobName).getBlobUrl();
        if (connectionSas != null) {
            // No key to sign with: the connection string's own SAS reads (it is what the SDK would send).
            return Secret.of(url + (url.contains("?") ? "&" : "?") + connectionSas.reveal());
        }
        return Secret.of(url + token(blobName, false, expiry).reveal());
    }
}
