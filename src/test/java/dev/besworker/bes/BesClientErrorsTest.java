package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.besworker.secrets.Secret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** Failed answers: what the exception says, which codes it carries, what is logged, and that no secret leaks. */
class BesClientErrorsTest extends BesClientTestBase {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger clientLogger = (Logger) LoggerFactory.getLogger(BesClient.class);

    @BeforeEach
    void captureLogs() {
        logged.start();
        clientLogger.addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        clientLogger.detachAppender(logged);
    }

    @Test
    void unauthorized_saysToCheckTheApiKey_andIsNotRetried() {
        // given
        fake.then(FakeBes.besError(401, "Unauthorized", "ScoreRequestUnauthorized", "Invalid credentials provided.")
                .header("x-ms-request-id", "req-401-abc"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.getMessage()).isEqualTo("BES refused the credentials (401 ScoreRequestUnauthorized): "
                + "check the definition's bes.api-key (and bes.subscription-key for a gateway)");
        assertThat(failure.httpStatus()).isEqualTo(401);
        assertThat(failure.isAuthFailure()).isTrue();
        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.submitOutcomeUnknown()).isFalse();
        assertThat(failure.errorClass()).isEqualTo("Unauthorized");
        assertThat(failure.errorCode()).isEqualTo("ScoreRequestUnauthorized");
        assertThat(failure.requestId()).isEqualTo("req-401-abc");
        assertThat(fake.requests()).hasSize(1);
        assertThat(sleeper.waits()).isEmpty();
    }

    @Test
    void unauthorizedWithEmptyBody_stillSaysToCheckTheApiKey() {
        // given
        fake.then(FakeBes.empty(401));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.getMessage()).startsWith("BES refused the credentials (401)").contains("bes.api-key");
        assertThat(failure.errorCode()).isNull();
    }

    @Test
    void gatewayFlatErrorBody_isRead() {
        // given: API Management's own shape
        fake.then(FakeBes.json(401, "{\"statusCode\":401,\"message\":\"Access denied due to invalid subscription key.\"}"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.serviceMessage()).isEqualTo("Access denied due to invalid subscription key.");
        assertThat(failure.getMessage()).contains("bes.subscription-key");
    }

    @Test
    void webServiceNotFound_saysToCheckEndpointWorkspaceAndService() {
        // given
        fake.then(FakeBes.besError(404, "NotFound", "WebServiceNotFound", "Web service not found."));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.getMessage()).isEqualTo(
                "BES found no such web service (404 WebServiceNotFound): check bes.endpoint, bes.workspace and bes.service");
        assertThat(failure.isNotFound()).isTrue();
        assertThat(failure.isTransient()).isFalse();
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void unknownJob_namesTheJob() {
        // given
        fake.then(FakeBes.besError(404, "NotFound", null, "Job not found"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.getMessage()).contains("BES does not know job " + JOB_ID).contains("(404 NotFound)")
                .contains("check bes.endpoint, bes.workspace and bes.service");
        assertThat(failure.isNotFound()).isTrue();
    }

    @Test
    void badArgumentWithDetails_carriesTheServicesMessageAndTheSpecificCode() {
        // given
        fake.then(FakeBes.json(400, "{\"error\":{\"code\":\"BadArgument\",\"message\":\"Invalid argument provided.\","
                + "\"details\":[{\"code\":\"InvalidBlobExtension\",\"message\":\"Output blob 'out.txt' must end in .csv.\"},"
                + "{\"code\":\"Other\",\"message\":\"ignored\"}]}}"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.errorClass()).isEqualTo("BadArgument");
        assertThat(failure.errorCode()).isEqualTo("InvalidBlobExtension");
        assertThat(failure.getMessage())
                .startsWith("BES rejected the job submit (400 InvalidBlobExtension): Invalid argument provided. "
                        + "Output blob 'out.txt' must end in .csv.")
                .contains(".csv, .tsv or .arff");
        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.submitOutcomeUnknown()).isFalse();
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void errorWithoutDetails_usesTheClassAsCode() {
        // given
        fake.then(FakeBes.json(413, "{\"error\":{\"code\":\"MemoryQuotaViolation\",\"message\":\"Too big.\"}}"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.errorClass()).isEqualTo("MemoryQuotaViolation");
        assertThat(failure.errorCode()).isEqualTo("MemoryQuotaViolation");
        assertThat(failure.getMessage()).contains("(413 MemoryQuotaViolation): Too big.");
    }

    @Test
    void nonJsonErrorBody_isQuotedShortly() {
        // given
        fake.then(FakeBes.text(400, "text/plain", "Bad Request\n  the body\tcould not be parsed"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.getMessage()).isEqualTo("BES rejected the job submit (400): Bad Request the body could not be parsed");
        assertThat(failure.errorClass()).isNull();
        assertThat(failure.errorCode()).isNull();
    }

    @Test
    void htmlErrorPage_isReducedToItsTitle() {
        // given
        fake.then(FakeBes.text(400, "text/html", "<!DOCTYPE html><html><head><title>400 - Bad Request</title></head>"
                + "<body>" + "x".repeat(5000) + "</body></html>"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.getMessage()).isEqualTo("BES rejected the job status (400): 400 - Bad Request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-ms-request-id", "x-ms-client-request-id", "request-id", "apim-request-id"})
    void requestId_isTakenFromEveryKnownHeader(String header) {
        // given
        fake.then(FakeBes.besError(400, "BadArgument", "RequestBodyInvalid", "nope").header(header, "id-from-" + header));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.requestId()).isEqualTo("id-from-" + header);
        assertThat(logged.list).anySatisfy(event -> {
            assertThat(event.getLevel().toString()).isEqualTo("WARN");
            assertThat(event.getFormattedMessage()).contains("id-from-" + header);
        });
    }

    @Test
    void requestId_withoutAnyHeader_isTheClientRequestIdThatWasSent() {
        // given
        fake.then(FakeBes.besError(400, "BadArgument", "RequestBodyInvalid", "nope"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.requestId()).isNotBlank().isEqualTo(fake.lastRequest().header("x-ms-client-request-id"));
    }

    @Test
    void cannotStartJob_isRecognisedAsAlreadyStarted_andNotRetried() {
        // given
        fake.then(FakeBes.besError(400, "InvalidOperation", "CannotStartJob",
                "The job cannot be started because it is in Running state."));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().start(JOB_ID));

        // then
        assertThat(failure.errorCode()).isEqualTo("CannotStartJob");
        assertThat(failure.errorClass()).isEqualTo("InvalidOperation");
        assertThat(BesClient.isAlreadyStarted(failure)).isTrue();
        assertThat(failure.getMessage()).contains("cannot start job " + JOB_ID).contains("Running state");
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void otherBadRequests_areNotAlreadyStarted() {
        // given
        fake.then(FakeBes.besError(400, "BadArgument", "MissingJobId", "No job id."));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().start(JOB_ID));

        // then
        assertThat(BesClient.isAlreadyStarted(failure)).isFalse();
        assertThat(BesClient.isAlreadyStarted(null)).isFalse();
    }

    @Test
    void secretsEchoedByTheService_neverReachMessagesOrLogs() {
        // given: a careless gateway that echoes everything it was sent
        fake.then(FakeBes.json(400, "{\"error\":{\"code\":\"BadArgument\",\"message\":\"bad key " + API_KEY + " / "
                + SUBSCRIPTION_KEY + " for " + CONNECTION_STRING.replace("\"", "") + " and " + SAS_TOKEN + "\"}}")
                .header("x-ms-request-id", "req-echo"));
        BatchJobRequest request = new BatchJobRequest(
                Map.of("input1", BlobReference.withConnectionString(Secret.of(CONNECTION_STRING), "c/in.csv")),
                Map.of("output1", BlobReference.withSas("https://a.blob.core.windows.net/", "c/out.csv", Secret.of(SAS_TOKEN))),
                Map.of());

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(request));

        // then
        List<String> texts = new java.util.ArrayList<>(List.of(failure.getMessage(), failure.toString(),
                String.valueOf(failure.serviceMessage())));
        logged.list.forEach(event -> texts.add(event.getFormattedMessage()));
        for (String text : texts) {
            for (String canary : CANARIES) {
                assertThat(text).doesNotContain(canary);
            }
        }
        assertThat(logged.list).isNotEmpty();
    }

    @Test
    void valuesCarryingSecrets_printMasked() {
        // given
        fake.then(FakeBes.json(200, finishedStatus()));
        BesEndpoint endpoint = endpoint(fake.baseUri(), Secret.of(SUBSCRIPTION_KEY));
        BatchJobRequest request = new BatchJobRequest(
                Map.of("input1", BlobReference.withConnectionString(Secret.of(CONNECTION_STRING), "c/in.csv")),
                Map.of("output1", BlobReference.withSas("https://a.blob.core.windows.net/", "c/out.csv", Secret.of(SAS_TOKEN))),
                Map.of("p", "v"));

        // when
        BesJobStatus status = client().status(JOB_ID);
        List<String> printed = List.of(endpoint.toString(), request.toString(), status.toString(),
                status.results().get("output1").toString());

        // then
        for (String text : printed) {
            for (String canary : CANARIES) {
                assertThat(text).doesNotContain(canary);
            }
        }
        assertThat(status.results().get("output1").toString()).contains("results/out1.csv");
    }

    @Test
    void successfulCalls_logNothingAtWarn() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Running\"}"));

        // when
        client().status(JOB_ID);

        // then
        assertThat(logged.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
    }
}
