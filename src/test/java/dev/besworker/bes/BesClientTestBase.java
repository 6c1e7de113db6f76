package dev.besworker.bes;

import dev.besworker.secrets.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a {@link FakeBes} per test and builds clients against it with a recording sleeper. */
abstract class BesClientTestBase {

    // Canary values: if one of them ever shows up in a message, a log line or a toString, a secret leaked.
    static final String API_KEY = "canary-api-key-5d1f0e9a7c3b";
    static final String SUBSCRIPTION_KEY = "canary-subscription-key-2b8e4f6a";
    static final String ACCOUNT_KEY = "Y2FuYXJ5LWFjY291bnQta2V5LTdhM2Y5ZQ==";
    static final String CONNECTION_STRING = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + ACCOUNT_KEY + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
    static final String SAS_SIG = "canarySigZ3x9Q%2Bw7e1r5t8y2u4i6o0p%3D";
    static final String SAS_TOKEN = "?sv=2025-01-05&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=" + SAS_SIG;
    static final List<String> CANARIES = List.of(API_KEY, SUBSCRIPTION_KEY, ACCOUNT_KEY, SAS_SIG);

    static final String WORKSPACE = "0123456789abcdef0123456789abcdef";
    static final String SERVICE = "fedcba9876543210fedcba9876543210";
    static final String SERVICE_PATH = "/workspaces/" + WORKSPACE + "/services/" + SERVICE;
    static final String JOB_ID = "539d0bc2fde945b6ac986b851d0000f0";

    FakeBes fake;
    RecordingSleeper sleeper;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startFake() throws IOException {
        fake = FakeBes.start();
        sleeper = new RecordingSleeper();
    }

    @AfterEach
    void stopFake() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        fake.close();
    }

    /** A client for the fake with both keys, 5 attempts, tiny backoff and a generous budget. */
    BesClient client() {
        return client(new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(5)));
    }

    BesClient client(RetryPolicy policy) {
        return client(endpoint(fake.baseUri(), Secret.of(SUBSCRIPTION_KEY)), policy, Duration.ofSeconds(5), sleeper);
    }

    BesClient client(BesEndpoint endpoint, RetryPolicy policy, Duration requestTimeout, Sleeper sleeper) {
        BesClient client = new BesClient(endpoint, policy, requestTimeout, sleeper);
        toClose.add(client);
        return client;
    }

    static BesEndpoint endpoint(URI base, Secret subscriptionKey) {
        return BesEndpoint.of(base.toString(), WORKSPACE, SERVICE, Secret.of(API_KEY), subscriptionKey);
    }

    static BatchJobRequest sasRequest() {
        return new BatchJobRequest(
                java.util.Map.of("input1", BlobReference.withSas("http://127.0.0.1:10000/devstoreaccount1/",
                        "staging/in.csv", Secret.of(SAS_TOKEN))),
                java.util.Map.of("output1", BlobReference.withSas("http://127.0.0.1:10000/devstoreaccount1/",
                        "staging/in.output1.csv", Secret.of(SAS_TOKEN))),
                java.util.Map.of());
    }

    static String finishedStatus() {
        return "{\"StatusCode\":\"Finished\",\"Results\":{\"output1\":{\"ConnectionString\":null,"
                + "\"RelativeLocation\":\"results/out1.csv\",\"BaseLocation\":\"http://127.0.0.1:10000/devstoreaccount1/\","
                + "\"SasBlobToken\":\"" + SAS_TOKEN + "\"}},\"Details\":null}";
    }
}
