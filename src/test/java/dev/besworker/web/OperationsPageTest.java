package dev.besworker.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.besworker.WorkerApplication;
import dev.besworker.WorkerContext;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns.RunRequest;
import dev.besworker.support.WorkerFixture;

/** The operators' page over real HTTP, on a worker with a web server. */
class OperationsPageTest {

    private static WorkerFixture fixture;
    private static ConfigurableApplicationContext context;
    private static URI base;
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        fixture = new WorkerFixture();
        fixture.definition("reviews");
        context = new SpringApplicationBuilder(WorkerApplication.class, WorkerContext.AllAutoConfigurations.class).web(WebApplicationType.SERVLET)
                .registerShutdownHook(false)
                .run("--besworker.data-dir=" + fixture.dataDir, "--besworker.jobs-dir=" + fixture.jobsDir,
                        "--server.port=0", "--server.address=127.0.0.1", "--spring.main.web-application-type=servlet");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        base = URI.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() {
        context.close();
        fixture.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void failedExecution_isListedWithItsReason_andTheRestartButtonFinishesIt() throws Exception {
        // given
        fixture.admin.reset();
        fixture.admin.behaviour("{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; Error 1000: <b>page</b> canary\",\"times\":1}");
        Path input = fixture.input("page.csv", "a text");
        ScoringRuns runs = context.getBean(ScoringRuns.class);
        Map<String, Path> inputs = Collections.singletonMap(null, input);
        RunOutcome failed = runs.run(new RunRequest("reviews", inputs, null, Map.of(), false));
        long id = failed.executionId();

        // when
        HttpResponse<String> list = get("/executions");
        HttpResponse<String> detail = get("/executions/" + id);
        Matcher token = Pattern.compile("name='token' value='([0-9a-f]+)'").matcher(detail.body());
        assertThat(token.find()).as(detail.body()).isTrue();
        HttpResponse<String> forged = post("/executions/" + id + "/restart", "token=not-the-token");
        HttpResponse<String> restart = post("/executions/" + id + "/restart", "token=" + token.group(1));

        // then
        assertThat(failed.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("/executions/" + id + "'").contains("FAILED");
        assertThat(detail.body()).contains("Error 1000").contains("&lt;b&gt;page&lt;/b&gt;").doesNotContain("<b>page</b>")
                .contains("Restart where it stopped");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(restart.statusCode()).isEqualTo(303);
        JobRepository repository = context.getBean(JobRepository.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> repository.getLastJobExecution(
                repository.getJobExecution(id).getJobInstance()).getStatus() == BatchStatus.COMPLETED);
        assertThat(get("/api/executions/" + id).body()).contains("\"executionId\":" + id);
        assertThat(get("/executions/999999").statusCode()).isEqualTo(404);
    }
}
