package dev.besworker.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import tools.jackson.databind.json.JsonMapper;

import dev.besworker.definition.NotifySettings;
import dev.besworker.secrets.Redactor;

/**
 * Posts outcomes as JSON to webhooks: the definition's own ({@code notify:}) and the worker's
 * global one ({@code besworker.webhook}), each for failures always and for successes when asked.
 * The body carries a {@code text} field that Slack and Microsoft Teams incoming webhooks show as
 * the message, plus the facts as separate fields for other receivers.
 * <p>
 * Delivery is asynchronous, on one background thread, with one retry; a webhook that is down,
 * slow or refuses the post is logged and counted, and never fails or delays a run. Webhook URLs
 * often carry their credential, so logs show only their scheme and host.
 */
public final class WebhookNotifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int ONE_RETRY = 1;
    /**
     * One retry, 2 s later, of a post that failed for a reason that may pass (no connection,
     * 5xx, 429); an interrupted wait ends the delivery.
     */
    private static final RetryTemplate RETRY = new RetryTemplate(RetryPolicy.builder()
            .maxRetries(ONE_RETRY)
            .delay(Duration.ofSeconds(2))
            .predicate(ex -> ex instanceof Undelivered undelivered && undelivered.retryable)
            .build());

    private final NotifySettings global;
    private final Duration timeout;
    private final HttpClient http;
    private final ThreadPoolExecutor sender;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param global the worker-wide webhook, or null
     * @param timeout how long one post may take
     */
    public WebhookNotifier(NotifySettings global, Duration timeout) {
        this.global = global;
        this.timeout = timeout;
        if (global != null) {
            Redactor.register(global.webhook().toString());
        }
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        CustomizableThreadFactory threads = new CustomizableThreadFactory("webhook-");
        threads.setDaemon(true);
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), threads,
                (runnable, executor) -> {
            failed.incrementAndGet();
            log.warn("webhook queue full; a notification was dropped");
        });
    }

    /** Posts the notification to every webhook that wants it, in the background. */
    public void notify(Notification notification, NotifySettings definitionWebhook) {
        List<URI> targets = new ArrayList<>();
        for (NotifySettings settings : new NotifySettings[] {definitionWebhook, global}) {
            if (settings != null && (notification.failure() || settings.onSuccess())
                    && !targets.contains(settings.webhook())) {
                targets.add(settings.webhook());
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        byte[] body = payload(notification);
        for (URI target : targets) {
            sender.execute(() -> deliver(target, body, notification));
        }
    }

    /** The JSON body for a notification. */
    static byte[] payload(Notification n) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", n.text());
        body.put("definition", n.definition());
        body.put("file", n.file());
        body.put("executionId", n.executionId());
        body.put("outcome", n.outcome());
        body.put("error", n.error());
        body.put("restartCommand", n.retryCommand());
        body.put("host", n.host());
        body.put("time", n.time().toString());
        return JSON.writeValueAsBytes(body);
    }

    private void deliver(URI target, byte[] body, Notification notification) {
        String where = describe(target);
        AtomicInteger attempts = new AtomicInteger();
        try {
            RETRY.execute(() -> {
                boolean last = attempts.incrementAndGet() > ONE_RETRY;
                post(target, body, notification, where, last);
                return null;
            });
            delivered.incrementAndGet();
            log.debug("webhook {}: {} for {} delivered", where, notification.outcome(), notification.file());
        }
        catch (RetryException ex) {
            if (ex.getLastException() instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                Thread.currentThread().interrupt();
            }
            else if (!(ex.getLastException() instanceof Undelivered)) {
                log.warn("webhook {}: {}", where, Redactor.scrub(String.valueOf(ex.getLastException().getMessage())));
            }
            failed.incrementAndGet();
        }
    }

    /** One post; throws {@link Undelivered} (logged here, retryable or not) unless the webhook took it. */
    private void post(URI target, byte[] body, Notification notification, String where, boolean last)
            throws InterruptedException {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(target).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return;
            }
            // A 4xx other than 429 (too many requests) will be refused again.
            boolean retryable = status / 100 != 4 || status == 429;
            log.warn("webhook {} answered HTTP {} to the {} notification of {}{}", where, status,
                    notification.outcome(), notification.file(), retryable && !last ? "; trying once more" : "");
            throw new Undelivered(retryable);
        }
        catch (IOException ex) {
            log.warn("webhook {} could not be reached for the {} notification of {} ({}){}", where,
                    notification.outcome(), notification.file(),
                    Redactor.scrub(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()),
                    last ? "" : "; trying once more");
            throw new Undelivered(true);
        }
    }

    /** A post the webhook did not take; already logged. */
    private static final class Undelivered extends RuntimeException {
        private final boolean retryable;

        Undelivered(boolean retryable) {
            super(null, null, false, false);
            this.retryable = retryable;
        }
    }

    /** Scheme and host only: the rest of a webhook URL is often its credential. */
    static String describe(URI webhook) {
        return webhook.getScheme() + "://" + webhook.getRawAuthority() + "/***";
    }

    /** Notifications delivered so far. */
    public long delivered() {
        return delivered.get();
    }

    /** Notifications that could not be delivered so far. */
    public long failed() {
        return failed.get();
    }

    /** Gives queued notifications a moment (about one post's timeout) to go out, then stops. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            sender.shutdownNow();
        }
    }
}
