package dev.besworker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The approach of the classic BES walkthrough's sample client, as a baseline: read the whole
 * input file into memory, upload it in one Put Blob, submit and start the job, poll its status
 * every second, then download the result. Run by the harness as its own JVM (default heap) so
 * its wall time and peak RSS can be measured like the worker's. Plain JDK HTTP; the harness hands
 * it the SAS URLs.
 * <p>
 * Arguments: input file, upload URL (with write SAS), service URI (…/workspaces/W/services/S),
 * API key, base location, input relative location, input SAS, output relative location, output
 * SAS (read, create, write), result file. Prints {@code job <id>} and {@code bytes <n>}.
 */
public final class WalkthroughSample {

    private static final Pattern STATUS = Pattern.compile("\"StatusCode\"\\s*:\\s*\"?(\\w+)");
    private static final Pattern RESULT = Pattern.compile(
            "\"RelativeLocation\"\\s*:\\s*\"([^\"]+)\".*?\"BaseLocation\"\\s*:\\s*\"([^\"]+)\".*?\"SasBlobToken\"\\s*:\\s*\"([^\"]+)\"",
            Pattern.DOTALL);

    private WalkthroughSample() {
    }

    public static void main(String[] args) throws Exception {
        Path input = Path.of(args[0]);
        URI putUrl = URI.create(args[1]);
        String service = args[2];
        String apiKey = args[3];
        String base = args[4];
        String inputRelative = args[5];
        String inputSas = args[6];
        String outputRelative = args[7];
        String outputSas = args[8];
        Path result = Path.of(args[9]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        byte[] all = Files.readAllBytes(input);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(putUrl).header("x-ms-blob-type", "BlockBlob")
                .header("x-ms-version", "2021-08-06").timeout(Duration.ofMinutes(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(all)).build(), HttpResponse.BodyHandlers.ofString());
        check(put, "upload");

        String body = "{\"Inputs\":{\"input1\":{\"BaseLocation\":\"" + base + "\",\"RelativeLocation\":\"" + inputRelative
                + "\",\"SasBlobToken\":\"" + inputSas + "\"}},\"Outputs\":{\"output1\":{\"BaseLocation\":\"" + base
                + "\",\"RelativeLocation\":\"" + outputRelative + "\",\"SasBlobToken\":\"" + outputSas
                + "\"}},\"GlobalParameters\":{}}";
        HttpResponse<String> submitted = http.send(bes(service + "/jobs", apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        check(submitted, "submit");
        String jobId = submitted.body().replace("\"", "").trim();
        System.out.println("job " + jobId);
        check(http.send(bes(service + "/jobs/" + jobId + "/start", apiKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()), "start");
        String status;
        String answer;
        while (true) {
            HttpResponse<String> polled = http.send(bes(service + "/jobs/" + jobId, apiKey).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            check(polled, "status");
            answer = polled.body();
            Matcher matcher = STATUS.matcher(answer);
            status = matcher.find() ? matcher.group(1) : "?";
            if (status.equals("Finished") || status.equals("Failed") || status.equals("Cancelled")) {
                break;
            }
            Thread.sleep(1000);
        }
        if (!status.equals("Finished")) {
            throw new IOException("job " + jobId + " ended " + status + ": " + answer);
        }
        Matcher found = RESULT.matcher(answer);
        if (!found.find()) {
            throw new IOException("no result in " + answer);
        }
        URI resultUrl = URI.create(found.group(2) + found.group(1) + found.group(3).replace("\\u0026", "&"));
        HttpResponse<Path> got = http.send(HttpRequest.newBuilder(resultUrl).header("x-ms-version", "2021-08-06").GET().build(),
                HttpResponse.BodyHandlers.ofFile(result));
        if (got.statusCode() != 200) {
            throw new IOException("download answered " + got.statusCode());
        }
        System.out.println("bytes " + Files.size(result));
    }

    private static HttpRequest.Builder bes(String url, String apiKey) {
        return HttpRequest.newBuilder(URI.create(url + "?api-version=2.0")).header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json");
    }

    private static void check(HttpResponse<String> response, String what) throws IOException {
        if (response.statusCode() / 100 != 2) {
            throw new IOException(what + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
