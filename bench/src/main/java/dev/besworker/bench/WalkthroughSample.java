package dev.besworker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The transfers of the classic BES walkthrough's sample client, as a baseline: read the whole
 * input file into memory, upload it in one Put Blob, and download the result. Run by the harness
 * as its own JVM (default heap) so that its wall time and peak RSS can be measured like the
 * worker's. The sample's job handling (submit, start, a status call every second) is not
 * repeated here: the figure it is compared with excludes the BES job, and polling every second is
 * measured in the polling case. Plain JDK HTTP; the harness hands it the SAS URLs.
 * <p>
 * Arguments: input file, upload URL (write SAS), result URL (read SAS), result file.
 */
public final class WalkthroughSample {

    private WalkthroughSample() {
    }

    public static void main(String[] args) throws Exception {
        Path input = Path.of(args[0]);
        URI putUrl = URI.create(args[1]);
        URI resultUrl = URI.create(args[2]);
        Path result = Path.of(args[3]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        byte[] all = Files.readAllBytes(input);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(putUrl).header("x-ms-blob-type", "BlockBlob")
                .header("x-ms-version", "2021-08-06").timeout(Duration.ofMinutes(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(all)).build(), HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() / 100 != 2) {
            throw new IOException("upload answered " + put.statusCode() + ": " + put.body());
        }
        HttpResponse<Path> got = http.send(HttpRequest.newBuilder(resultUrl).header("x-ms-version", "2021-08-06").GET().build(),
                HttpResponse.BodyHandlers.ofFile(result));
        if (got.statusCode() != 200) {
            throw new IOException("download answered " + got.statusCode());
        }
        System.out.println("bytes " + Files.size(result));
    }
}
