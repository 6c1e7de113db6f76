package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.besworker.secrets.Secret;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BesEndpointTest {

    private static final String WS = "0123456789abcdef0123456789abcdef";
    private static final String SVC = "fedcba9876543210fedcba9876543210";

    @ParameterizedTest
    @CsvSource({
            "https://ussouthcentral.services.azureml.net, https://ussouthcentral.services.azureml.net",
            "https://ussouthcentral.services.azureml.net/, https://ussouthcentral.services.azureml.net",
            "https://gw.azure-api.net/ml/bes//, https://gw.azure-api.net/ml/bes",
            "http://127.0.0.1:8123, http://127.0.0.1:8123",
            "https://ussouthcentral.services.azureml.net/workspaces/" + WS + "/services/" + SVC + "/, https://ussouthcentral.services.azureml.net"})
    void of_appendsTheWorkspaceAndServicePathToTheRoot(String endpoint, String root) {
        // when
        BesEndpoint besEndpoint = BesEndpoint.of(endpoint, WS, SVC, Secret.of("endpoint-test-key-1"), null);

        // then
        assertThat(besEndpoint.serviceUri()).isEqualTo(URI.create(root + "/workspaces/" + WS + "/services/" + SVC));
        assertThat(besEndpoint.subscriptionKey().isEmpty()).isTrue();
        assertThat(besEndpoint.hasSubscriptionKey()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                  | bes.endpoint is missing",
            "ftp://host                          | not an http(s) URL",
            "not a url                           | not a URL",
            "https://host/?api-version=2.0        | carries a query"})
    void of_rejectsBadEndpointsNamingTheSetting(String endpoint, String problem) {
        // when / then
        assertThatThrownBy(() -> BesEndpoint.of(endpoint, WS, SVC, Secret.empty(), Secret.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(problem);
    }

    @Test
    void of_rejectsMissingIds() {
        // when / then
        assertThatThrownBy(() -> BesEndpoint.of("https://h", " ", SVC, null, null)).hasMessageContaining("bes.workspace");
        assertThatThrownBy(() -> BesEndpoint.of("https://h", WS, null, null, null)).hasMessageContaining("bes.service");
    }

    @Test
    void toString_masksTheKeys() {
        // given
        BesEndpoint endpoint = BesEndpoint.of("https://h", WS, SVC, Secret.of("endpoint-api-canary-99"), Secret.of("endpoint-sub-canary-77"));

        // when
        String text = endpoint.toString();

        // then
        assertThat(text).doesNotContain("endpoint-api-canary-99").doesNotContain("endpoint-sub-canary-77").contains(WS);
    }
}
