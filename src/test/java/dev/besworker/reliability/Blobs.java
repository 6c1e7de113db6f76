package dev.besworker.reliability;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.ListBlobsOptions;

/** Looks at the staging container directly (not through the worker, not through a proxy). */
final class Blobs {

    private final BlobContainerClient container;

    Blobs(String connectionString) {
        this.container = new BlobServiceClientBuilder().connectionString(connectionString).buildClient()
                .getBlobContainerClient(Scenario.CONTAINER);
    }

    /** Committed input blobs (results excluded) under a prefix, name to ETag. */
    Map<String, String> inputBlobs(String prefix) {
        Map<String, String> out = new TreeMap<>();
        if (!Boolean.TRUE.equals(container.exists())) {
            return out;
        }
        for (BlobItem item : container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null)) {
            if (!item.getName().contains("/results/")) {
                out.put(item.getName(), item.getProperties().getETag());
            }
        }
        return out;
    }

    /** Uncommitted (staged) blocks of the blobs under a prefix, in all. */
    int uncommittedBlocks(String prefix) {
        if (!Boolean.TRUE.equals(container.exists())) {
            return 0;
        }
        int blocks = 0;
        List<BlobItem> items = container.listBlobs(new ListBlobsOptions().setPrefix(prefix)
                .setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true)), null).stream().toList();
        for (BlobItem item : items) {
            try {
                var list = container.getBlobClient(item.getName()).getBlockBlobClient()
                        .listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks();
                blocks += list == null ? 0 : list.size();
            }
            catch (BlobStorageException ex) {
                if (ex.getStatusCode() != 404) {
                    throw ex;
                }
            }
        }
        return blocks;
    }
}
