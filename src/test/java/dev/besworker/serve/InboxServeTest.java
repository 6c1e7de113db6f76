package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.besworker.intake.Inbox;
import dev.besworker.notify.WebhookNotifier;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;

/** Inbox folders under a real serve, against Azurite and the BES emulator. */
class InboxServeTest extends ServeTestSupport {

    @Test
    void fileWrittenSlowlyInParts_isScoredOnceAfterItIsComplete() throws Exception {
        // given a serve whose inbox takes files that stayed unchanged for 2s
        definition("slow", Duration.ofSeconds(2), null);
        Serve serve = serve(Map.of());
        Path file = inbox("slow").resolve("parts.csv");
        List<String> lines = csv("parts", 60).lines().toList();

        // when the file is written in six parts, a moment apart, as a slow copy would
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writer.write(lines.get(0) + "\n");
            for (int part = 0; part < 6; part++) {
                for (String line : lines.subList(1 + part * 10, 11 + part * 10)) {
                    writer.write(line + "\n");
                }
                writer.flush();
                Thread.sleep(150);
            }
        }

        // then it is scored once, whole
        awaitFiles(inbox("slow").resolve(Inbox.DONE), 1, Duration.ofSeconds(60));
        assertThat(names(inbox("slow").resolve(Inbox.DONE))).containsExactly("parts.csv");
        assertThat(executions(serve, "slow")).hasSize(1);
        assertThat(submits()).isEqualTo(1);
        assertThat(dataRows(output("slow").resolve("parts.output1.csv"))).isEqualTo(60);
        assertThat(names(inbox("slow").resolve(Inbox.FAILED))).isEmpty();
    }

    @Test
    void fiftyFilesDroppedAtOnce_allEndInDoneWithResults_withinTheConcurrencyLimits() throws Exception {
        // given two definitions, one limited to 2 runs at once, under a worker-wide limit of 8
        definition("limited", Duration.ofMillis(300), "max-concurrent-jobs: 2\n");
        definition("open", Duration.ofMillis(300), null);
        admin("POST", "behaviour", "{\"jobDurationMillis\":300}");
        Serve serve = serve(Map.of("besworker.max-concurrent-jobs", "8"));

        // when 25 files are dropped into each inbox at once
        for (int i = 1; i <= 25; i++) {
            write(inbox("limited").resolve("l" + i + ".csv"), csv("limited " + i, 5));
            write(inbox("open").resolve("o" + i + ".csv"), csv("open " + i, 5));
        }

        // then every file ends in done/ with its results (launched up to 8 at once on H2), and no limit was exceeded
        awaitFiles(inbox("limited").resolve(Inbox.DONE), 25, Duration.ofMinutes(3));
        awaitFiles(inbox("open").resolve(Inbox.DONE), 25, Duration.ofMinutes(3));
        assertThat(names(output("limited"))).hasSize(25).allMatch(name -> name.endsWith(".output1.csv"));
        assertThat(names(output("open"))).hasSize(25);
        assertThat(dataRows(output("open").resolve("o17.output1.csv"))).isEqualTo(5);
        assertThat(names(inbox("limited").resolve(Inbox.FAILED))).isEmpty();
        assertThat(names(inbox("open").resolve(Inbox.FAILED))).isEmpty();
        assertThat(names(inbox("open").resolve(Inbox.PROCESSING))).isEmpty();
        RunDispatcher dispatcher = serve.daemon().dispatcher();
        assertThat(dispatcher.peakRunning()).isEqualTo(8);
        assertThat(dispatcher.peakRunning("limited")).isEqualTo(2);
        assertThat(admin("GET", "counters", null).get("maxRunning").asInt()).isBetween(1, 8);
        assertThat(submits()).isEqualTo(50);
    }

    @Test
    void badFile_endsInFailedWithItsReport_whileTheOthersGoOn() throws Exception {
        // given
        definition("mixed", Duration.ofMillis(300), null);
        Serve serve = serve(Map.of());

        // when a file without the required column is dropped among good ones
        write(inbox("mixed").resolve("good-1.csv"), csv("good one", 4));
        write(inbox("mixed").resolve("bad.csv"), "ReviewId,Text\n1,no Col2 here\n");
        write(inbox("mixed").resolve("good-2.csv"), csv("good two", 4));

        // then the bad file is in failed/ with its report, and the good ones are scored
        awaitFiles(inbox("mixed").resolve(Inbox.DONE), 2, Duration.ofSeconds(60));
        awaitFiles(inbox("mixed").resolve(Inbox.FAILED), 2, Duration.ofSeconds(30));
        assertThat(names(inbox("mixed").resolve(Inbox.FAILED))).containsExactly("bad.csv", "bad.csv.error.txt");
        String report = Files.readString(inbox("mixed").resolve(Inbox.FAILED).resolve("bad.csv.error.txt"));
        assertThat(report).contains("definition: mixed", "bad.csv: line 1:", "\"Col2\"", "Fix:",
                "mv " + inbox("mixed").resolve("failed/bad.csv") + " " + inbox("mixed").resolve("bad.csv"));
        assertThat(names(inbox("mixed").resolve(Inbox.DONE))).containsExactly("good-1.csv", "good-2.csv");
        assertThat(names(output("mixed"))).containsExactly("good-1.output1.csv", "good-2.output1.csv");
        assertThat(executions(serve, "mixed")).hasSize(2);
    }

    @Test
    void sameContentDroppedAgain_isRecognisedAsADuplicate() throws Exception {
        // given a file that was scored
        definition("dup", Duration.ofMillis(300), null);
        Serve serve = serve(Map.of());
        String content = csv("twice", 6);
        write(inbox("dup").resolve("first.csv"), content);
        awaitFiles(inbox("dup").resolve(Inbox.DONE), 1, Duration.ofSeconds(60));
        long firstExecution = executions(serve, "dup").get(0).executionId();

        // when the same bytes are dropped again under another name
        write(inbox("dup").resolve("again.csv"), content);

        // then it goes to done/ with a report naming the earlier run, and is not scored again
        awaitFiles(inbox("dup").resolve(Inbox.DONE), 3, Duration.ofSeconds(60));
        assertThat(names(inbox("dup").resolve(Inbox.DONE)))
                .containsExactly("again.csv", "again.csv.duplicate.txt", "first.csv");
        String report = Files.readString(inbox("dup").resolve(Inbox.DONE).resolve("again.csv.duplicate.txt"));
        assertThat(report).contains("already scored by execution " + firstExecution, "(first.csv)",
                output("dup").resolve("first.output1.csv").toString(), "--force");
        assertThat(executions(serve, "dup")).hasSize(1);
        assertThat(submits()).isEqualTo(1);
    }

    @Test
    void failedRun_isPostedToTheWebhook_andAnUnreachableWebhookFailsNothing() throws Exception {
        // given a receiver for the definition's webhook, and a global webhook that nobody answers
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/canary-token", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        try {
            definition("hooked", Duration.ofMillis(300), "notify: {webhook: \"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/hooks/canary-token\"}\n");
            admin("POST", "behaviour", "{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; Error 1000: canary"
                    + " failure\",\"times\":1}");
            Serve serve = serve(Map.of("besworker.webhook", "http://127.0.0.1:" + deadPort + "/global"));

            // when a run fails at BES, and then another file is dropped
            write(inbox("hooked").resolve("doomed.csv"), csv("doomed", 3));
            awaitFiles(inbox("hooked").resolve(Inbox.FAILED), 2, Duration.ofSeconds(60));
            write(inbox("hooked").resolve("fine.csv"), csv("fine", 3));

            // then the receiver gets the failure, and the unreachable global webhook changes no outcome
            String body = received.poll(30, TimeUnit.SECONDS);
            assertThat(body).isNotNull();
            JsonNode json = JSON.readTree(body);
            long executionId = executions(serve, "hooked").stream().filter(e -> e.input().endsWith("doomed.csv"))
                    .mapToLong(ExecutionSummary::executionId).findFirst().orElseThrow();
            assertThat(json.get("definition").asString()).isEqualTo("hooked");
            assertThat(json.get("file").asString()).isEqualTo("doomed.csv");
            assertThat(json.get("outcome").asString()).isEqualTo("failed");
            assertThat(json.get("executionId").asLong()).isEqualTo(executionId);
            assertThat(json.get("error").asString()).contains("canary failure");
            assertThat(json.get("restartCommand").asString()).startsWith("mv ").endsWith(
                    inbox("hooked").resolve("doomed.csv").toString());
            assertThat(json.get("text").asString()).contains("hooked FAILED on doomed.csv (execution " + executionId + ")");
            awaitFiles(inbox("hooked").resolve(Inbox.DONE), 1, Duration.ofSeconds(60));
            assertThat(names(inbox("hooked").resolve(Inbox.DONE))).containsExactly("fine.csv");
            await().atMost(Duration.ofSeconds(30)).until(() -> serve.bean(WebhookNotifier.class).failed() >= 1);
            assertThat(received).isEmpty();
        }
        finally {
            receiver.stop(0);
        }
    }
}
