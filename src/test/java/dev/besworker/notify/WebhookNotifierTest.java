package dev.besworker.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.besworker.definition.NotifySettings;

/** Delivery of notifications: one retry, 2 s later, for failures that may pass; none for a refusal. */
class WebhookNotifierTest {

    private static final Notification FAILED = new Notification("nightly", "in.csv", 7L, "failed", "boom",
            "bes-worker restart 7", "host-1", Instant.parse("2026-01-01T00:00:00Z"));

    private HttpServer server;
    private final AtomicInteger posts = new AtomicInteger();

    /** A receiver answering each post with the next status of {@code statuses} (the last one repeats). */
    private URI receiver(Integer... statuses) throws IOException {
        Deque<Integer> answers = new ArrayDeque<>(java.util.List.of(statuses));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            int status = answers.size() > 1 ? answers.poll() : answers.peek();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/secret-token");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aWebhookThatFailsOnce_getsTheNotificationOnTheRetry() throws IOException {
        // given a webhook that answers 503 first, then 200
        URI hook = receiver(503, 200);

        // when
        try (WebhookNotifier notifier = new WebhookNotifier(null, Duration.ofSeconds(5))) {
            notifier.notify(FAILED, new NotifySettings(hook, false));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> notifier.delivered() == 1);
            assertThat(posts.get()).isEqualTo(2);
            assertThat(notifier.failed()).isZero();
        }
    }

    @Test
    void aWebhookThatRefusesThePost_isNotAskedAgain() throws IOException {
        // given a webhook that answers 400
        URI hook = receiver(400);

        // when
        try (WebhookNotifier notifier = new WebhookNotifier(null, Duration.ofSeconds(5))) {
            notifier.notify(FAILED, new NotifySettings(hook, false));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> notifier.failed() == 1);
            assertThat(posts.get()).isEqualTo(1);
            assertThat(notifier.delivered()).isZero();
        }
    }

    @Test
    void aWebhookThatKeepsFailing_isTriedTwice_thenCountedAsFailed() throws IOException {
        // given a webhook that answers 500 every time
        URI hook = receiver(500);

        // when
        try (WebhookNotifier notifier = new WebhookNotifier(null, Duration.ofSeconds(5))) {
            notifier.notify(FAILED, new NotifySettings(hook, false));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> notifier.failed() == 1);
            assertThat(posts.get()).isEqualTo(2);
        }
    }

    @Test
    void anUnreachableWebhook_isCountedAsFailed() throws IOException {
        // given a port nobody listens on
        int dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = socket.getLocalPort();
        }

        // when
        try (WebhookNotifier notifier = new WebhookNotifier(null, Duration.ofSeconds(5))) {
            notifier.notify(FAILED, new NotifySettings(URI.create("http://127.0.0.1:" + dead + "/hook"), false));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> notifier.failed() == 1);
            assertThat(notifier.delivered()).isZero();
        }
    }
}
