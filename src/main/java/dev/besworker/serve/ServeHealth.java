package dev.besworker.serve;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.jdbc.core.JdbcTemplate;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesEndpoint;
import dev.besworker.bes.RetryPolicy;
import dev.besworker.definition.BesSettings;
import dev.besworker.definition.JobDefinition;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.secrets.Redactor;

/**
 * The health of what {@code serve} depends on, each reported separately under
 * {@code /actuator/health}: {@code jobRepository} (the database), {@code storage} (each
 * definition's staging container) and {@code bes} (each definition's BES endpoint). Probes make
 * one attempt with a short timeout (no retries: health must answer quickly) and never show a
 * secret.
 */
public final class ServeHealth {

    private ServeHealth() {
    }

    /** The job repository answers a query. */
    public static HealthIndicator jobRepository(JdbcTemplate jdbc) {
        return () -> {
            try {
                Long executions = jdbc.queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION", Long.class);
                return Health.up().withDetail("executions", executions).build();
            }
            catch (RuntimeException ex) {
                return Health.down().withDetail("error", Redactor.scrub(String.valueOf(ex.getMessage()))).build();
            }
        };
    }

    /** Each definition's staging container can be reached. */
    public static HealthContributor storage(List<String> definitions, ScoringEnvironment environment, Duration timeout) {
        Map<String, BlobContainerClient> clients = new ConcurrentHashMap<>();
        return composite(definitions, name -> () -> {
            try {
                JobDefinition definition = environment.definition(name);
                String connection = definition.storage().connectionString().reveal();
                String container = definition.storage().container();
                BlobContainerClient client = clients.computeIfAbsent(connection.hashCode() + "/" + container,
                        key -> new BlobServiceClientBuilder().connectionString(connection)
                                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, timeout,
                                        Duration.ofMillis(1), Duration.ofMillis(1), null))
                                .buildClient().getBlobContainerClient(container));
                boolean exists = client.exists();
                return Health.up().withDetail("account", client.getAccountName()).withDetail("container", container)
                        .withDetail("containerExists", exists).build();
            }
            catch (RuntimeException ex) {
                return Health.down().withDetail("error", reason(ex)).build();
            }
        });
    }

    /** Each definition's BES endpoint answers (its swagger.json, which needs no key). */
    public static HealthContributor bes(List<String> definitions, ScoringEnvironment environment, Duration timeout) {
        Map<String, Probe> probes = new ConcurrentHashMap<>();
        return composite(definitions, name -> () -> {
            try {
                BesSettings bes = environment.definition(name).bes();
                BesEndpoint endpoint = BesEndpoint.of(bes.endpoint(), bes.workspace(), bes.service(), bes.apiKey(),
                        bes.subscriptionKey());
                String uri = endpoint.serviceUri().toString();
                Probe probe = probes.compute(name, (key, old) -> {
                    if (old != null && old.uri().equals(uri)) {
                        return old;
                    }
                    if (old != null) {
                        old.client().close();
                    }
                    // One attempt: health reports the state now; the runs themselves retry.
                    return new Probe(uri, new BesClient(endpoint, RetryPolicy.none(), timeout));
                });
                probe.client().swagger();
                return Health.up().withDetail("endpoint", uri).build();
            }
            catch (RuntimeException ex) {
                return Health.down().withDetail("error", reason(ex)).build();
            }
        });
    }

    private record Probe(String uri, BesClient client) {
    }

    private static HealthContributor composite(List<String> names, Function<String, HealthIndicator> indicator) {
        Map<String, HealthContributor> children = new java.util.LinkedHashMap<>();
        names.forEach(name -> children.put(name, indicator.apply(name)));
        if (children.isEmpty()) {
            return (HealthIndicator) () -> Health.unknown().withDetail("definitions", "none").build();
        }
        return new CompositeHealthContributor() {
            @Override
            public HealthContributor getContributor(String name) {
                return children.get(name);
            }

            @Override
            public Stream<HealthContributors.Entry> stream() {
                return children.entrySet().stream().map(e -> new HealthContributors.Entry(e.getKey(), e.getValue()));
            }
        };
    }

    private static String reason(RuntimeException ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
        return Redactor.scrub(message.lines().findFirst().orElse(message));
    }
}
