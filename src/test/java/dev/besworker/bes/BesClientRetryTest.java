package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.besworker.secrets.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which failures are retried, how long the client waits, and when a submit must not be repeated. */
class BesClientRetryTest extends BesClientTestBase {

    private static final String RUNNING = "{\"StatusCode\":\"Running\",\"Results\":null,\"Details\":null}";
    private static final String JOB_ID_JSON = "\"" + JOB_ID + "\"";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "503, ServiceUnavailable, RequestThrottled",
            "503, ServiceUnavailable, TooManyConcurrentRequests",
            "503, ServiceUnavailable, NoMoreResources",
            "503, ServiceUnavailable, InitializingContainers",
            "500, InternalError,",
            "502, BadGateway,",
            "504, GatewayTimeout, BackendScoreTimeout",
            "408, RequestTimeout, ScoreRequestTimeout",
            "429, TooManyRequests,"})
    void status_transientFailureThenSuccess_isRetried(int httpStatus, String errorClass, String code) {
        // given
        fake.then(FakeBes.besError(httpStatus, errorClass, code, "try later"), FakeBes.json(200, RUNNING));
        BesClient client = client();

        // when
        BesJobStatus status = client.status(JOB_ID);

        // then
        assertThat(status.state()).isEqualTo(BesJobState.RUNNING);
        assertThat(fake.requests()).hasSize(2);
        assertThat(client.retryCount()).isEqualTo(1);
        assertThat(sleeper.waits()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RequestThrottled", "TooManyConcurrentRequests", "NoMoreResources", "InitializingContainers"})
    void submit_503ThenSuccess_isRetriedBecauseThrottledRequestsCreateNoJob(String code) {
        // given
        fake.then(FakeBes.besError(503, "ServiceUnavailable", code, "The maximum concurrency for the endpoint is 40."),
                FakeBes.json(200, JOB_ID_JSON));
        BesClient client = client();

        // when
        String id = client.submit(sasRequest());

        // then
        assertThat(id).isEqualTo(JOB_ID);
        assertThat(fake.requests()).hasSize(2);
        assertThat(fake.requests().get(1).body()).isEqualTo(fake.requests().get(0).body());
        assertThat(client.retryCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 408})
    void submit_rejectedByAGatewayThenSuccess_isRetried(int httpStatus) {
        // given
        fake.then(FakeBes.empty(httpStatus), FakeBes.json(200, JOB_ID_JSON));

        // when
        String id = client().submit(sasRequest());

        // then
        assertThat(id).isEqualTo(JOB_ID);
        assertThat(fake.requests()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 504})
    void submit_serverErrorAfterSending_isNotRetriedAndReportsUnknownOutcome(int httpStatus) {
        // given
        fake.then(FakeBes.besError(httpStatus, "InternalError", null, "boom"), FakeBes.json(200, JOB_ID_JSON));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.submitOutcomeUnknown()).isTrue();
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.httpStatus()).isEqualTo(httpStatus);
        assertThat(failure.getMessage()).contains("may have been created");
        assertThat(fake.requests()).hasSize(1);
        assertThat(sleeper.waits()).isEmpty();
    }

    @Test
    void submit_readTimeout_isNotRetriedAndReportsUnknownOutcome() {
        // given: the service takes the request and never answers within the timeout
        fake.then(new FakeBes.Hang(), FakeBes.json(200, JOB_ID_JSON));
        BesClient client = client(endpoint(fake.baseUri(), Secret.empty()), RetryPolicy.defaults(), Duration.ofMillis(300), sleeper);

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client.submit(sasRequest()));

        // then
        assertThat(failure.submitOutcomeUnknown()).isTrue();
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.errorClass()).isEqualTo("Timeout");
        assertThat(failure.httpStatus()).isZero();
        assertThat(fake.requests()).hasSize(1);
        assertThat(client.retryCount()).isZero();
    }

    @Test
    void status_readTimeoutThenSuccess_isRetried() {
        // given
        fake.then(new FakeBes.Hang(), FakeBes.json(200, RUNNING));
        BesClient client = client(endpoint(fake.baseUri(), Secret.empty()), RetryPolicy.defaults(), Duration.ofMillis(300), sleeper);

        // when
        BesJobStatus status = client.status(JOB_ID);

        // then
        assertThat(status.state()).isEqualTo(BesJobState.RUNNING);
        assertThat(client.retryCount()).isEqualTo(1);
    }

    @Test
    void status_connectionClosedWithoutAnswerThenSuccess_isRetried() {
        // given
        fake.then(new FakeBes.Drop(), FakeBes.json(200, RUNNING));
        BesClient client = client();

        // when
        BesJobStatus status = client.status(JOB_ID);

        // then: the JDK client itself may already repeat an idempotent GET on a dead connection, so count at the server
        assertThat(status.state()).isEqualTo(BesJobState.RUNNING);
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void submit_connectionClosedWithoutAnswer_isNotRetriedAndReportsUnknownOutcome() {
        // given
        fake.then(new FakeBes.Drop(), FakeBes.json(200, JOB_ID_JSON));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.submitOutcomeUnknown()).isTrue();
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.errorClass()).isEqualTo("ConnectionLost");
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void connectionReset_isRetriedForStatusButNotForSubmit() throws Exception {
        // given: the server resets (RST) each connection after reading the request, then answers
        String ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + RUNNING.length()
                + "\r\nConnection: close\r\n\r\n" + RUNNING;
        try (RawHttpFake statusServer = new RawHttpFake(RawHttpFake.RESET, RawHttpFake.raw(ok));
             RawHttpFake submitServer = new RawHttpFake(RawHttpFake.RESET, RawHttpFake.raw(ok))) {
            BesClient statusClient = client(endpoint(statusServer.baseUri(), Secret.empty()), RetryPolicy.defaults(),
                    Duration.ofSeconds(5), sleeper);
            BesClient submitClient = client(endpoint(submitServer.baseUri(), Secret.empty()), RetryPolicy.defaults(),
                    Duration.ofSeconds(5), sleeper);

            // when
            BesJobStatus status = statusClient.status(JOB_ID);
            BesException failure = catchThrowableOfType(BesException.class, () -> submitClient.submit(sasRequest()));

            // then
            assertThat(status.state()).isEqualTo(BesJobState.RUNNING);
            assertThat(statusServer.requests()).hasSize(2);
            assertThat(failure.submitOutcomeUnknown()).isTrue();
            assertThat(failure.isTransient()).isTrue();
            assertThat(submitServer.requests()).hasSize(1);
        }
    }

    @Test
    void submit_connectionRefusedUntilTheServiceComesUp_isRetried() throws Exception {
        // given: nothing listens on the port until the client's first wait
        int port = freePort();
        AtomicReference<FakeBes> late = new AtomicReference<>();
        RecordingSleeper startsServer = new RecordingSleeper((index, duration) -> {
            if (late.get() == null) {
                try {
                    late.set(FakeBes.startOn(port).then(FakeBes.json(200, JOB_ID_JSON)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        BesClient client = client(endpoint(URI.create("http://127.0.0.1:" + port), Secret.empty()),
                RetryPolicy.defaults(), Duration.ofSeconds(5), startsServer);

        try {
            // when
            String id = client.submit(sasRequest());

            // then
            assertThat(id).isEqualTo(JOB_ID);
            assertThat(late.get().requests()).hasSize(1);
            assertThat(client.retryCount()).isEqualTo(1);
        } finally {
            if (late.get() != null) {
                late.get().close();
            }
        }
    }

    @Test
    void connectionRefusedThroughout_givesUpTransientlyAndSaysHowOftenItTried() throws IOException {
        // given
        int port = freePort();
        BesClient client = client(endpoint(URI.create("http://127.0.0.1:" + port), Secret.empty()),
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMinutes(1)), Duration.ofSeconds(5), sleeper);

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client.submit(sasRequest()));

        // then
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.submitOutcomeUnknown()).isFalse();
        assertThat(failure.errorClass()).isEqualTo("ConnectFailed");
        assertThat(failure.attempts()).isEqualTo(3);
        assertThat(failure.getMessage()).startsWith("Gave up on the BES job submit after 3 attempts over ")
                .contains("Could not connect to BES at 127.0.0.1:" + port);
        assertThat(client.retryCount()).isEqualTo(2);
    }

    @Test
    void persistentThrottling_givesUpAfterMaxAttempts() {
        // given
        for (int i = 0; i < 4; i++) {
            fake.then(FakeBes.besError(503, "ServiceUnavailable", "RequestThrottled", "busy"));
        }
        BesClient client = client(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMinutes(5)));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client.status(JOB_ID));

        // then
        assertThat(fake.requests()).hasSize(4);
        assertThat(client.retryCount()).isEqualTo(3);
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.httpStatus()).isEqualTo(503);
        assertThat(failure.errorCode()).isEqualTo("RequestThrottled");
        assertThat(failure.attempts()).isEqualTo(4);
        assertThat(failure.getMessage()).contains("after 4 attempts over").contains("(503 RequestThrottled): busy");
    }

    @Test
    void retryAfterSeconds_isWaitedAtLeast() {
        // given
        fake.then(FakeBes.besError(503, "ServiceUnavailable", "RequestThrottled", "busy").header("Retry-After", "7"),
                FakeBes.json(200, RUNNING));

        // when
        client().status(JOB_ID);

        // then: the policy alone would wait at most 100 ms
        assertThat(sleeper.waits()).singleElement().satisfies(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void retryAfterHttpDate_isWaitedAtLeast() {
        // given
        String inThirtySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        fake.then(FakeBes.empty(429).header("Retry-After", inThirtySeconds), FakeBes.json(200, RUNNING));

        // when
        client().status(JOB_ID);

        // then: the date has whole seconds, so allow for the part of a second already gone
        assertThat(sleeper.waits()).singleElement().satisfies(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(28)));
    }

    @Test
    void retryAfterInMilliseconds_isWaitedAtLeast() {
        // given
        fake.then(FakeBes.empty(503).header("retry-after-ms", "2500"), FakeBes.json(200, RUNNING));

        // when
        client().status(JOB_ID);

        // then
        assertThat(sleeper.waits()).singleElement().satisfies(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofMillis(2500)));
    }

    @Test
    void unreadableRetryAfter_fallsBackToThePolicy() {
        // given
        fake.then(FakeBes.empty(503).header("Retry-After", "soon-ish"), FakeBes.json(200, RUNNING));

        // when
        client().status(JOB_ID);

        // then: the base policy caps the first wait at 100 ms
        assertThat(sleeper.waits()).singleElement().satisfies(wait -> assertThat(wait).isLessThanOrEqualTo(Duration.ofMillis(100)));
    }

    @Test
    void retryAfterBeyondTheBudget_waitsOnlyWhatIsLeftThenGivesUp() {
        // given
        fake.then(FakeBes.empty(503).header("Retry-After", "100"), FakeBes.empty(503).header("Retry-After", "100"),
                FakeBes.json(200, RUNNING));
        BesClient client = client(new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(5)));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client.status(JOB_ID));

        // then
        assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(5));
        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.getMessage()).contains("after 2 attempts");
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void backoff_staysUnderTheCappedExponentialCeiling() {
        // given
        for (int i = 0; i < 5; i++) {
            fake.then(FakeBes.empty(503));
        }
        fake.then(FakeBes.json(200, RUNNING));
        RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMinutes(5));

        // when
        client(policy).status(JOB_ID);

        // then
        List<Duration> waits = sleeper.waits();
        assertThat(waits).hasSize(5);
        for (int retry = 0; retry < waits.size(); retry++) {
            Duration ceiling = Duration.ofMillis(Math.min(400, 100L << retry));
            assertThat(waits.get(retry)).isBetween(Duration.ZERO, ceiling);
        }
    }

    @ParameterizedTest
    @CsvSource({"400, BadArgument", "401, Unauthorized", "403, Forbidden", "404, NotFound", "413, MemoryQuotaViolation"})
    void clientErrors_areNotRetried(int httpStatus, String errorClass) {
        // given
        fake.then(FakeBes.besError(httpStatus, errorClass, null, "no"), FakeBes.json(200, RUNNING));
        BesClient client = client();

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client.status(JOB_ID));

        // then
        assertThat(failure.httpStatus()).isEqualTo(httpStatus);
        assertThat(failure.isTransient()).isFalse();
        assertThat(fake.requests()).hasSize(1);
        assertThat(client.retryCount()).isZero();
        assertThat(sleeper.waits()).isEmpty();
    }

    @Test
    void start_retriedAfterItMayHaveWorked_endsInCannotStartJobThatCountsAsStarted() {
        // given: the first start went through but its answer was lost in a 503
        fake.then(FakeBes.empty(503), FakeBes.besError(400, "InvalidOperation", "CannotStartJob",
                "The job cannot be started because it is in Running state."));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().start(JOB_ID));

        // then
        assertThat(BesClient.isAlreadyStarted(failure)).isTrue();
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void cancel_retriedThenGone_isFine() {
        // given
        fake.then(FakeBes.empty(503), FakeBes.besError(404, "NotFound", null, "gone"));
        BesClient client = client();

        // when
        client.cancel(JOB_ID);

        // then
        assertThat(fake.requests()).hasSize(2).allMatch(request -> request.method().equals("DELETE"));
    }

    @Test
    void interruptWhileWaiting_endsTheCallAndKeepsTheInterruptFlag() {
        // given
        fake.then(FakeBes.empty(503), FakeBes.json(200, RUNNING));
        RecordingSleeper interrupted = new RecordingSleeper((index, duration) -> {
            throw new InterruptedException("stop requested");
        });
        BesClient client = client(endpoint(fake.baseUri(), Secret.empty()), RetryPolicy.defaults(), Duration.ofSeconds(5), interrupted);

        try {
            // when
            BesException failure = catchThrowableOfType(BesException.class, () -> client.status(JOB_ID));

            // then
            assertThat(failure.wasInterrupted()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(fake.requests()).hasSize(1);
            assertThat(client.retryCount()).isZero();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void retryCount_addsUpAcrossCalls() {
        // given
        fake.then(FakeBes.empty(503), FakeBes.json(200, RUNNING), FakeBes.empty(500), FakeBes.empty(502),
                FakeBes.json(200, RUNNING));
        BesClient client = client();

        // when
        client.status(JOB_ID);
        client.status(JOB_ID);

        // then
        assertThat(client.retryCount()).isEqualTo(3);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
