package dev.besworker.staging;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.specialized.BlockBlobClient;

/**
 * The one container a {@link BlobStaging} works in: its client and name, created on first use
 * (and again after it was deleted), and the wording that names one of its blobs in messages.
 */
final class StagingContainer {

    private final BlobContainerClient client;
    private final String name;
    private volatile boolean ready;

    StagingContainer(BlobContainerClient client, String name) {
        this.client = client;
        this.name = name;
    }

    String name() {
        return name;
    }

    BlobClient blob(String blobName) {
        return client.getBlobClient(blobName);
    }

    BlockBlobClient blockBlob(String blobName) {
        return client.getBlobClient(blobName).getBlockBlobClient();
    }

    /** Creates the container unless this instance already did. */
    void ensureExists() {
        if (!ready) {
            client.createIfNotExists();
            ready = true;
        }
    }

    /** The container was deleted behind this instance's back: the next {@link #ensureExists()} creates it again. */
    void forget() {
        ready = false;
    }

    /** {@code blob <container>/<blobName>}, as messages name a blob. */
    String describe(String blobName) {
        return "blob " + name + "/" + blobName;
    }
}
