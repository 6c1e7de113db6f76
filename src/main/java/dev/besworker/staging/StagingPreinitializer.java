package dev.besworker.staging;

import java.time.OffsetDateTime;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.blob.specialized.BlockBlobClient;

import org.springframework.boot.autoconfigure.preinitialize.BackgroundPreinitializer;

/**
 * Loads and initializes the Azure Storage SDK's classes on Spring Boot's background
 * pre-initialization thread, while the context is built on the main thread: the first run's
 * upload step otherwise spends about 0.1 s of its start in them, on the critical path of every
 * command (registered in {@code META-INF/spring.factories}; Boot runs it on a second core only).
 * <p>
 * Nothing is sent: the client is built for the storage emulator's well-known development account
 * (a public, documented key, not a secret) and only signs a SAS, as staging does.
 */
public final class StagingPreinitializer implements BackgroundPreinitializer {

    /** Azurite's documented development account; the port is never connected to. */
    private static final String DEVELOPMENT_ACCOUNT = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    @Override
    public void preinitialize() {
        BlockBlobClient blob = new BlobServiceClientBuilder().connectionString(DEVELOPMENT_ACCOUNT)
            .buildClient()
            .getBlobContainerClient("preinitialize")
            .getBlobClient("preinitialize.csv")
            .getBlockBlobClient();
        blob.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusMinutes(1),
                new BlobSasPermission().setReadPermission(true)));
    }
}
