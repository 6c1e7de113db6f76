package dev.besworker.staging;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.specialized.BlockBlobClient;

/**
 * The one container a {@link BlobStaging} works in: its client and name, created where a request
 * finds it missing (an upload) or before first use (staging blocks, whose listing cannot tell a
 * missing container from a missing blob), and the wording that names one of its blobs in messages.
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
            create();
        }
    }

    /** Creates the container, which a request found missing (never created, or deleted since). */
    void create() {
        client.createIfNotExists();
        ready = true;
    }

    /** {@code blob <container>/<blobName>}, as messages name a blob. */
    String describe(String blobName) {
        return "blob " + name + "/" + blobName;
    }
}
