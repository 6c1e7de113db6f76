package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.besworker.secrets.Secret;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How the client reads what BES answers: job ids, every status form, start and delete codes. */
class BesClientResponsesTest extends BesClientTestBase {

    @Test
    void submit_quotedJobId_returnsTheIdWithoutQuotes() {
        // given
        fake.then(FakeBes.json(200, "\"" + JOB_ID + "\""));

        // when
        String id = client().submit(sasRequest());

        // then
        assertThat(id).isEqualTo(JOB_ID);
    }

    @Test
    void submit_bareJobId_returnsIt() {
        // given
        fake.then(FakeBes.text(200, "text/plain", JOB_ID + "\r\n"));

        // when
        String id = client().submit(sasRequest());

        // then
        assertThat(id).isEqualTo(JOB_ID);
    }

    @ParameterizedTest
    @ValueSource(ints = {201, 202})
    void submit_otherSuccessCodesWithAnId_returnTheId(int status) {
        // given
        fake.then(FakeBes.json(status, "\"" + JOB_ID + "\""));

        // when
        String id = client().submit(sasRequest());

        // then
        assertThat(id).isEqualTo(JOB_ID);
    }

    @ParameterizedTest(name = "204 framed as: {0}")
    @ValueSource(strings = {
            "Content-Length: 34\r\n\r\n\"" + JOB_ID + "\"",
            "Transfer-Encoding: chunked\r\n\r\n22\r\n\"" + JOB_ID + "\"\r\n0\r\n\r\n",
            "Connection: close\r\n\r\n\"" + JOB_ID + "\""})
    void submit_204WithTheIdInABody_isAcceptedButReportedAsOutcomeUnknown(String framingAndBody) throws Exception {
        // given: a 204 carrying the id; java.net.http never hands such a body over
        try (RawHttpFake raw = new RawHttpFake(RawHttpFake.raw("HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\n" + framingAndBody))) {
            BesClient client = client(endpoint(raw.baseUri(), Secret.empty()),
                    new RetryPolicy(3, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)), Duration.ofSeconds(5), sleeper);

            // when
            BesException failure = catchThrowableOfType(BesException.class, () -> client.submit(sasRequest()));

            // then
            assertThat(failure.submitOutcomeUnknown()).isTrue();
            assertThat(failure.getMessage()).contains("204").contains("may have been created");
            assertThat(raw.requests()).hasSize(1);
        }
    }

    @Test
    void submit_successWithoutAJobId_reportsThatAJobMayExist() {
        // given
        fake.then(FakeBes.empty(200));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().submit(sasRequest()));

        // then
        assertThat(failure.submitOutcomeUnknown()).isTrue();
        assertThat(failure.getMessage()).contains("no job id").contains("may have been created");
        assertThat(fake.requests()).hasSize(1);
    }

    @ParameterizedTest(name = "StatusCode {0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "\"NotStarted\" | NOT_STARTED",
            "\"Running\"    | RUNNING",
            "\"Failed\"     | FAILED",
            "\"Cancelled\"  | CANCELLED",
            "\"Canceled\"   | CANCELLED",
            "\"Finished\"   | FINISHED",
            "\"finished\"   | FINISHED",
            "\"NOTSTARTED\" | NOT_STARTED",
            "0              | NOT_STARTED",
            "1              | RUNNING",
            "2              | FAILED",
            "3              | CANCELLED",
            "4              | FINISHED",
            "\"4\"          | FINISHED"})
    void status_acceptsEveryStatusCodeForm(String statusCode, BesJobState expected) {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":" + statusCode + ",\"Results\":null,\"Details\":null}"));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.state()).isEqualTo(expected);
    }

    @Test
    void status_resultsNullBeforeFinished_givesEmptyResults() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Running\",\"Results\":null,\"Details\":null}"));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.results()).isNotNull().isEmpty();
        assertThat(status.details()).isNull();
        assertThat(status.isTerminal()).isFalse();
    }

    @Test
    void status_finished_givesResultBlobsWithTheirSasUrl() {
        // given
        fake.then(FakeBes.json(200, finishedStatus()));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.state()).isEqualTo(BesJobState.FINISHED);
        assertThat(status.results()).containsOnlyKeys("output1");
        BlobReference result = status.result("output1").orElseThrow();
        assertThat(result.connectionString()).isNull();
        assertThat(result.relativeLocation()).isEqualTo("results/out1.csv");
        assertThat(result.sasBlobToken().reveal()).isEqualTo(SAS_TOKEN);
        assertThat(result.resultUri())
                .isEqualTo(URI.create("http://127.0.0.1:10000/devstoreaccount1/results/out1.csv" + SAS_TOKEN));
    }

    @Test
    void status_legacySingleResult_isNamedOutput1() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":4,\"Result\":{\"ConnectionString\":null,"
                + "\"RelativeLocation\":\"/results/legacy.csv\",\"BaseLocation\":\"https://acct.blob.core.windows.net/\","
                + "\"SasBlobToken\":\"" + SAS_TOKEN + "\"},\"Details\":null}"));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.results()).containsOnlyKeys("output1");
        assertThat(status.result("output1").orElseThrow().resultUri())
                .isEqualTo(URI.create("https://acct.blob.core.windows.net/results/legacy.csv" + SAS_TOKEN));
    }

    @Test
    void status_unknownFieldsAndTimingFields_areIgnored() {
        // given
        fake.then(FakeBes.json(200, "{\"CreatedAt\":\"2024-01-01T00:00:00Z\",\"StartTime\":\"2024-01-01T00:00:01Z\","
                + "\"EndTime\":null,\"Progress\":{\"Percent\":50,\"Stages\":[1,2]},\"StatusCode\":\"Running\","
                + "\"Results\":null,\"Details\":null,\"Extra\":[true]}"));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.state()).isEqualTo(BesJobState.RUNNING);
        assertThat(status.results()).isEmpty();
    }

    @Test
    void status_failed_carriesTheDetailsText() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Failed\",\"Results\":null,"
                + "\"Details\":\"Module: Reader; taskStatusCode=400 Error 1000: AFx Library library exception\"}"));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.state()).isEqualTo(BesJobState.FAILED);
        assertThat(status.isTerminal()).isTrue();
        assertThat(status.details()).isEqualTo("Module: Reader; taskStatusCode=400 Error 1000: AFx Library library exception");
    }

    @Test
    void status_detailsQuotingAnAccountKey_areScrubbed() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Failed\",\"Details\":\"cannot open DefaultEndpointsProtocol=https;"
                + "AccountName=x;AccountKey=SomeUnregisteredKeyValue123==;\"}"));

        // when
        BesJobStatus status = client().status(JOB_ID);

        // then
        assertThat(status.details()).contains("AccountKey=***").doesNotContain("SomeUnregisteredKeyValue123");
    }

    @Test
    void status_unknownStatusCode_failsSayingWhatWasReceived() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Exploded\"}"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.getMessage()).contains("Exploded").contains(JOB_ID);
        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.errorClass()).isEqualTo("UnexpectedResponse");
    }

    @Test
    void status_htmlPageWith200_failsWithThePageTitle() {
        // given
        fake.then(FakeBes.text(200, "text/html", "<html><head><title>Sign in to your proxy</title></head><body/></html>"));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().status(JOB_ID));

        // then
        assertThat(failure.getMessage()).contains("Sign in to your proxy").contains("bes.endpoint");
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 202, 204})
    void start_acceptsEverySuccessCodeWithOrWithoutBody(int status) {
        // given
        fake.then(status == 204 ? FakeBes.empty(204) : FakeBes.json(status, "{}"));

        // when
        client().start(JOB_ID);

        // then
        assertThat(fake.requests()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 202, 204, 404})
    void cancel_acceptsSuccessAndAlreadyGone(int status) {
        // given
        fake.then(status == 404
                ? FakeBes.besError(404, "NotFound", null, "Job not found")
                : FakeBes.empty(status));

        // when
        client().cancel(JOB_ID);

        // then
        assertThat(fake.requests()).hasSize(1);
        assertThat(sleeper.waits()).isEmpty();
    }

    @Test
    void cancel_whenTheServiceItselfIsUnknown_fails() {
        // given: a 404 that is about the address, not the job
        fake.then(FakeBes.besError(404, "NotFound", "WebServiceNotFound", "Web service not found."));

        // when
        BesException failure = catchThrowableOfType(BesException.class, () -> client().cancel(JOB_ID));

        // then
        assertThat(failure.isNotFound()).isTrue();
        assertThat(failure.getMessage()).contains("check bes.endpoint, bes.workspace and bes.service");
    }
}
