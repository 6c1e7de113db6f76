package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The actuator health of serve over HTTP, against a real Azurite that goes away. */
class ServeHealthTest extends ServeTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void health_goesDown_whenAzuriteStops_withStorageReportedApart() throws Exception {
        // given a serve with HTTP whose storage and BES endpoint are up
        definition("watched", Duration.ofMillis(300), null);
        // (health details are for logged-in users: the console's; anonymous callers get the statuses only)
        Serve serve = serve(0, Map.of("besworker.health-timeout", "2s",
                "besworker.console.users.ops.password", "{noop}ops-password", "besworker.console.users.ops.roles", "VIEWER"));
        URI health = URI.create("http://127.0.0.1:" + serve.httpPort() + "/actuator/health");
        HttpResponse<String> up = get(health);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(status(up, "storage", "watched")).isEqualTo("UP");
        assertThat(status(up, "bes", "watched")).isEqualTo("UP");
        assertThat(status(up, "jobRepository")).isEqualTo("UP");

        // when Azurite stops
        azurite.close();

        // then health is DOWN, because of the storage alone
        await().atMost(Duration.ofSeconds(30)).until(() -> get(health).statusCode() == 503);
        HttpResponse<String> down = get(health);
        assertThat(JSON.readTree(down.body()).get("status").asString()).isEqualTo("DOWN");
        assertThat(status(down, "storage", "watched")).isEqualTo("DOWN");
        assertThat(JSON.readTree(down.body()).at("/components/storage/components/watched/details/error").asString())
                .isNotBlank().doesNotContain(azurite.connectionString());
        assertThat(status(down, "bes", "watched")).isEqualTo("UP");
        assertThat(status(down, "jobRepository")).isEqualTo("UP");
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("ops:ops-password".getBytes()))
                .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String status(HttpResponse<String> response, String... path) {
        JsonNode node = JSON.readTree(response.body());
        for (String part : path) {
            node = node.get("components").get(part);
        }
        return node.get("status").asString();
    }
}
