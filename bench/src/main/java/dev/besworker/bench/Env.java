package dev.besworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.stream.Stream;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;

/** What every case shares: the jar, the work folder, Azurite, the main emulator behind its proxy, the table. */
final class Env {

    final Path root;
    final Path jar;
    final Path work;
    final Path logs;
    final String connectionString;
    final String blobEndpoint;
    final BlobServiceClient blobs;
    /** The worker as the README recommends running it; replaced once the AppCDS archive is built. */
    Worker worker;
    final Emulator emulator;
    final Proxy proxy;
    final Table table;
    final Options options;
    /** Azurite's process, for its CPU beside the worker's (case 1). */
    final long azuritePid;

    Env(Path root, Path jar, Path work, String connectionString, String blobEndpoint, Worker worker, Emulator emulator,
            Proxy proxy, Table table, Options options, long azuritePid) {
        this.root = root;
        this.jar = jar;
        this.work = work;
        this.logs = work.resolve("logs");
        this.connectionString = connectionString;
        this.blobEndpoint = blobEndpoint;
        this.blobs = new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
        this.worker = worker;
        this.emulator = emulator;
        this.proxy = proxy;
        this.table = table;
        this.options = options;
        this.azuritePid = azuritePid;
    }

    /** The service URI BES clients use, through the proxy. */
    String serviceUri() {
        return proxy.uri() + "/workspaces/0123456789abcdef0123456789abcdef/services/fedcba9876543210fedcba9876543210";
    }

    BlobContainerClient container(String name) {
        BlobContainerClient container = blobs.getBlobContainerClient(name);
        container.createIfNotExists();
        return container;
    }

    /** Deletes a container and everything in it (a case's blobs). */
    void dropContainer(String name) {
        blobs.getBlobContainerClient(name).deleteIfExists();
    }

    /** A blob SAS token without the leading "?": read, or read+create+write. */
    String sas(String container, String blob, boolean write) {
        BlobSasPermission permission = new BlobSasPermission().setReadPermission(true);
        if (write) {
            permission.setCreatePermission(true).setWritePermission(true);
        }
        return blobs.getBlobContainerClient(container).getBlobClient(blob)
                .generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(3), permission));
    }

    String blobUrl(String container, String blob, boolean write) {
        return blobEndpoint + "/" + container + "/" + blob + "?" + sas(container, blob, write);
    }

    /** Deletes a file or a folder tree; missing is fine. */
    static void delete(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void log(String message) {
        System.out.printf("[%tT] %s%n", System.currentTimeMillis(), message);
        System.out.flush();
    }
}
