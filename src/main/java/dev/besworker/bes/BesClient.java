package dev.besworker.bes;

import dev.besworker.definition.Units;
import dev.besworker.secrets.Redactor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The worker's client for one BES web service: {@link #submit}, {@link #start}, {@link #status},
 * {@link #cancel} and {@link #swagger}, over HTTP/1.1 with {@code api-version=2.0}.
 *
 * <p><b>Requests.</b> Every call carries {@code Content-Type: application/json},
 * {@code Authorization: Bearer <api key>} (not for swagger.json, which needs no auth),
 * {@code Ocp-Apim-Subscription-Key} when the endpoint has one, and a fresh
 * {@code x-ms-client-request-id}. Keys are revealed only into these headers and connection
 * strings and SAS tokens only into the submit body; nothing this client logs or throws carries
 * them.
 *
 * <p><b>Retries.</b> Transient failures (HTTP 408, 429, 500, 502, 503, 504; connection refused
 * or lost; timeouts) are retried within the {@link RetryPolicy}: capped exponential backoff with
 * full jitter, and at least the service's {@code Retry-After} (seconds or an HTTP date; also
 * {@code retry-after-ms}) when it sends one, each wait capped by what is left of the budget.
 * When attempts or budget run out, the last failure is thrown as a transient
 * {@link BesException} whose message says how many attempts were made over how long. Other
 * failures (400, 401, 403, 404, ...) are thrown at once. Waiting goes through the
 * {@link Sleeper}; an interrupt ends the call with a {@link BesException} whose
 * {@link BesException#wasInterrupted()} is true (the interrupt flag is restored).
 *
 * <p><b>Submit is not idempotent.</b> BES has no idempotency key: a submit that the service
 * processed creates a job, and sending it again creates a second one. So a submit is retried
 * only when the failure proves no job was created:
 * <ul>
 *   <li>the connection could not be made (refused, connect timeout, unknown host): the request
 *       was never sent;</li>
 *   <li>HTTP 503, 429 or 408: the service or its gateway throttled or rejected the request
 *       before processing it. This is an assumption about BES (documented behaviour for 503
 *       RequestThrottled / TooManyConcurrentRequests / NoMoreResources / InitializingContainers)
 *       and gateways (429 and 408 come from API Management's rate limits and body timeouts); a
 *       gateway that answers 503 after forwarding the request would break it.</li>
 * </ul>
 * Any other failure after the request may have left (read timeout, connection lost, 500, 502,
 * 504, or a success answer without a job id) is thrown at once as a {@link BesException} with
 * {@link BesException#isTransient()} true and {@link BesException#submitOutcomeUnknown()} true,
 * so the caller can record that a remote job may exist. Each submit attempt uses a new
 * connection so that a pooled connection the server already closed cannot make a harmless
 * failure look like an unknown outcome.
 *
 * <p><b>Start</b> is retried freely: starting a job twice gives 400 InvalidOperation /
 * CannotStartJob, which {@link #isAlreadyStarted(BesException)} recognises. <b>Status</b>,
 * <b>cancel</b> and <b>swagger</b> are reads or idempotent and retried freely; cancel treats 404
 * as done.
 *
 * <p>The client is thread-safe and keeps connections alive between calls (except submits).
 * Every client with the same connect timeout shares one JDK {@link HttpClient} for the life of
 * the process (its selector thread, executor and connection pool): serve opens a client per
 * step, and on Java 17 a JDK client's threads last until the client is garbage collected, so a
 * client each made six per run (about 20 of them alive at once with 8 runs in flight). The
 * request timeout is set on every request, so clients of different definitions still differ in
 * it.
 */
public final class BesClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BesClient.class);

    private static final String API_VERSION = "api-version=2.0";
    private static final List<String> REQUEST_ID_HEADERS =
            List.of("x-ms-request-id", "x-ms-client-request-id", "request-id", "apim-request-id");
    private static final Set<Integer> TRANSIENT_STATUSES = Set.of(408, 429, 500, 502, 503, 504);
    /** Statuses that prove a submit was turned away before BES processed it (see class doc). */
    private static final Set<Integer> SUBMIT_NOT_PROCESSED_STATUSES = Set.of(408, 429, 503);
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** The process's JDK clients for keep-alive calls, by connect timeout (see the class doc). */
    private static final ConcurrentMap<Duration, HttpClient> SHARED = new ConcurrentHashMap<>();
    /**
     * The one executor of every JDK client made here, the shared ones and each submit's own: a
     * JDK client otherwise brings a thread pool of its own, whose threads outlive a submit's
     * client by a minute on Java 17 (with 8 runs in flight serve held 40 of them).
     */
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(daemonThreads());

    private final BesEndpoint endpoint;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final Sleeper sleeper;
    private final HttpClient http;
    private final AtomicInteger retries = new AtomicInteger();
    private volatile boolean closed;

    /** A client that waits between retries with {@link Sleeper#system()}. */
    public BesClient(BesEndpoint endpoint, RetryPolicy retry, Duration requestTimeout) {
        this(endpoint, retry, requestTimeout, Sleeper.system());
    }

    /**
     * @param endpoint       the service and its keys
     * @param retry          how transient failures are retried
     * @param requestTimeout the most one attempt may take to get an answer (also caps the
     *                       connect timeout, itself at most 30 s)
     * @param sleeper        waits between retries (tests record, stop-aware callers interrupt)
     */
    public BesClient(BesEndpoint endpoint, RetryPolicy retry, Duration requestTimeout, Sleeper sleeper) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.http = SHARED.computeIfAbsent(connectTimeout(), BesClient::newHttpClient);
    }

    /**
     * Submits a job ({@code POST {service}/jobs}) and returns its id, quotes stripped. The job
     * stays NotStarted until {@link #start(String)}. Accepts 200 (and 201, 202) with the id as a
     * JSON string or bare. A 204 counts as accepted too, but the JDK HTTP client never delivers a
     * 204's body (it drops an unframed one and rejects a framed one), so a 204 ends in a
     * {@link BesException} with {@link BesException#submitOutcomeUnknown()} true rather than a
     * resubmit. See the class doc for when a submit is retried.
     *
     * @throws BesException on failure; check {@link BesException#submitOutcomeUnknown()}
     */
    public String submit(BatchJobRequest request) {
        Objects.requireNonNull(request, "request");
        String body = BesJson.requestBody(request);
        Call call = new Call(Operation.SUBMIT, "POST", uri("/jobs"), body, null);
        return execute(call, response -> {
            String jobId = BesJson.jobId(response.body());
            if (jobId == null) {
                String requestId = requestId(response);
                String message = "BES accepted the job submit (HTTP " + response.statusCode()
                        + ") but its answer holds no job id (" + BesJson.excerpt(response.body()) + ")"
                        + (response.statusCode() == 204 ? "; a 204 answer's body never reaches this client" : "")
                        + Operation.SUBMIT_UNKNOWN_HINT;
                log.warn("BES job submit: {} [request id {}]", Redactor.scrub(message), requestId);
                throw new BesException(message, response.statusCode(), "UnexpectedResponse", "UnexpectedResponse",
                        requestId, null, false, true, 1, null);
            }
            return jobId;
        });
    }

    /**
     * Starts a submitted job ({@code POST {service}/jobs/{id}/start}, empty body; 200 or 204).
     * Starting a job that is no longer NotStarted fails with a {@link BesException} whose
     * {@link BesException#errorCode()} is {@code CannotStartJob}: see
     * {@link #isAlreadyStarted(BesException)}.
     */
    public void start(String jobId) {
        Call call = new Call(Operation.START, "POST", uri("/jobs/" + jobSegment(jobId) + "/start"), "", jobId);
        execute(call, response -> null);
    }

    /**
     * Whether a failed {@link #start(String)} failed only because the job was already started
     * (or has even ended): 400 InvalidOperation / CannotStartJob. After a retried start this is
     * the expected answer, and the caller counts the job as started.
     */
    public static boolean isAlreadyStarted(BesException failure) {
        if (failure == null) {
            return false;
        }
        return "CannotStartJob".equalsIgnoreCase(failure.errorCode())
                || (failure.httpStatus() == 400 && "InvalidOperation".equalsIgnoreCase(failure.errorClass()));
    }

    /**
     * The job's status ({@code GET {service}/jobs/{id}}). {@code StatusCode} may be a name or a
     * number; {@code Results} or the old {@code Result} give the result blobs.
     */
    public BesJobStatus status(String jobId) {
        Call call = new Call(Operation.STATUS, "GET", uri("/jobs/" + jobSegment(jobId)), null, jobId);
        return execute(call, response -> {
            try {
                return BesJson.status(response.body());
            } catch (IllegalArgumentException e) {
                String requestId = requestId(response);
                String message = "BES answered the job status of " + jobId + " with something this client cannot read ("
                        + e.getMessage() + "): " + BesJson.excerpt(response.body())
                        + "; check that bes.endpoint points at a BES service";
                log.warn("BES job status: {} [request id {}]", Redactor.scrub(message), requestId);
                throw new BesException(message, response.statusCode(), "UnexpectedResponse", "UnexpectedResponse",
                        requestId, null, false, false, 1, null);
            }
        });
    }

    /**
     * Cancels and removes a job ({@code DELETE {service}/jobs/{id}}; 200, 202 or 204). A 404 is
     * success (the job is already gone) unless its error code says the web service or workspace
     * itself is unknown (WebServiceNotFound, WorkspaceNotFound): then the job may still exist and
     * a {@link BesException} is thrown.
     */
    public void cancel(String jobId) {
        Call call = new Call(Operation.CANCEL, "DELETE", uri("/jobs/" + jobSegment(jobId)), null, jobId);
        execute(call, response -> {
            if (response.statusCode() == 404) {
                BesJson.ErrorBody error = BesJson.error(response.body());
                if (BesException.namesMissingService(error.code())) {
                    // Not "job gone" but "wrong address": the job may still be running somewhere.
                    Failure failure = httpFailure(call, response);
                    log.warn("BES job cancel failed: {} [request id {}]", failure.message(), failure.requestId());
                    throw failure.toException(failure.message(), 1);
                }
                log.debug("BES job {} was already gone when cancelled", jobId);
            }
            return null;
        });
    }

    /** The service's swagger.json ({@code GET {service}/swagger.json}, sent without the API key). */
    public String swagger() {
        Call call = new Call(Operation.SWAGGER, "GET", uri("/swagger.json"), null, null);
        return execute(call, HttpResponse::body);
    }

    /** How many retries this client has made in all (for metrics). */
    public int retryCount() {
        return retries.get();
    }

    /** The endpoint this client talks to. */
    public BesEndpoint endpoint() {
        return endpoint;
    }

    /** Refuses further calls; the shared HTTP client stays open for the other clients. */
    @Override
    public void close() {
        closed = true;
    }

    // ---------------------------------------------------------------- the call loop

    private enum Operation {
        SUBMIT("job submit", Set.of(200, 201, 202, 204), true),
        START("job start", Set.of(200, 201, 202, 204), true),
        STATUS("job status", Set.of(200), true),
        CANCEL("job cancel", Set.of(200, 202, 204, 404), true),
        SWAGGER("swagger.json request", Set.of(200), false);

        static final String SUBMIT_UNKNOWN_HINT = "; the job may have been created at BES anyway, so it was not"
                + " submitted again (a second submit would run it twice)";

        final String label;
        final Set<Integer> success;
        final boolean authenticated;

        Operation(String label, Set<Integer> success, boolean authenticated) {
            this.label = label;
            this.success = success;
            this.authenticated = authenticated;
        }
    }

    private record Call(Operation operation, String method, URI uri, String body, String jobId) {
    }

    @FunctionalInterface
    private interface ResponseReader<T> {
        T read(HttpResponse<String> response);
    }

    /** One failed attempt: the exception to throw, whether to retry, and the service's wish. */
    private record Failure(String message, int httpStatus, String errorClass, String errorCode, String requestId,
                           String serviceMessage, boolean transientFailure, boolean retryable,
                           boolean submitOutcomeUnknown, Duration retryAfter, Throwable cause) {

        Failure {
            // Scrubbed here, not only in BesException, because these texts are logged before any exception exists.
            message = Redactor.scrub(message);
            serviceMessage = Redactor.scrub(serviceMessage);
        }

        BesException toException(String text, int attempts) {
            return new BesException(text, httpStatus, errorClass, errorCode, requestId, serviceMessage,
                    transientFailure, submitOutcomeUnknown, attempts, cause);
        }
    }

    private <T> T execute(Call call, ResponseReader<T> reader) {
        if (closed) {
            throw new IllegalStateException("this BesClient is closed");
        }
        long startedNanos = System.nanoTime();
        Duration waited = Duration.ZERO;
        int attempt = 0;
        while (true) {
            attempt++;
            String clientRequestId = UUID.randomUUID().toString();
            Failure failure;
            try {
                HttpResponse<String> response = send(call, clientRequestId);
                if (call.operation().success.contains(response.statusCode())) {
                    return reader.read(response);
                }
                failure = httpFailure(call, response);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                boolean unknown = call.operation() == Operation.SUBMIT;
                throw new BesException("Interrupted during the BES " + call.operation().label
                        + (unknown ? Operation.SUBMIT_UNKNOWN_HINT : ""), 0, "Interrupted", "Interrupted",
                        clientRequestId, null, true, unknown, attempt, e);
            } catch (IOException e) {
                failure = transportFailure(call, e, clientRequestId);
            }

            if (!failure.retryable()) {
                log.warn("BES {} failed: {} [request id {}]", call.operation().label, failure.message(), failure.requestId());
                throw failure.toException(failure.message(), attempt);
            }
            Duration remaining = retry.budget().minus(waited);
            if (attempt >= retry.maxAttempts() || remaining.isNegative() || remaining.isZero()) {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
                String text = "Gave up on the BES " + call.operation().label + " after " + attempt
                        + (attempt == 1 ? " attempt" : " attempts") + " over " + Units.format(elapsed) + ": " + failure.message()
                        + " (the worker will try again later; raise bes.retry.max-attempts or bes.retry.budget to wait longer)";
                log.warn("BES {} failed: {} [request id {}]; giving up after {} attempts",
                        call.operation().label, failure.message(), failure.requestId(), attempt);
                throw failure.toException(text, attempt);
            }
            Duration wait = retry.backoff(attempt - 1, ThreadLocalRandom.current());
            if (failure.retryAfter() != null && failure.retryAfter().compareTo(wait) > 0) {
                wait = failure.retryAfter();
            }
            if (wait.compareTo(remaining) > 0) {
                wait = remaining;
            }
            log.warn("BES {} failed: {} [request id {}]; retrying in {} (attempt {} of {})", call.operation().label,
                    failure.message(), failure.requestId(), Units.format(wait), attempt + 1, retry.maxAttempts());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // Only failures that prove no job was created are retried, so a submit's outcome is known here.
                throw new BesException("Interrupted while waiting to retry the BES " + call.operation().label
                        + " (last failure: " + failure.message() + ")", failure.httpStatus(), "Interrupted", "Interrupted",
                        failure.requestId(), failure.serviceMessage(), true, false, attempt, e);
            }
            waited = waited.plus(wait);
            retries.incrementAndGet();
        }
    }

    private HttpResponse<String> send(Call call, String clientRequestId) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(call.uri())
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("x-ms-client-request-id", clientRequestId);
        if (call.operation().authenticated && !endpoint.apiKey().isEmpty()) {
            builder.header("Authorization", "Bearer " + endpoint.apiKey().reveal());
        }
        if (endpoint.hasSubscriptionKey()) {
            builder.header("Ocp-Apim-Subscription-Key", endpoint.subscriptionKey().reveal());
        }
        HttpRequest.BodyPublisher body = call.body() == null || call.body().isEmpty()
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(call.body());
        builder.method(call.method(), body);
        if (call.operation() != Operation.SUBMIT) {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        }
        // A fresh connection per submit attempt: see the class doc.
        HttpClient fresh = newHttpClient(connectTimeout());
        try {
            return fresh.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            closeQuietly(fresh);
        }
    }

    private Failure httpFailure(Call call, HttpResponse<String> response) {
        int status = response.statusCode();
        BesJson.ErrorBody error = BesJson.error(response.body());
        String requestId = requestId(response);
        boolean transientFailure = TRANSIENT_STATUSES.contains(status);
        boolean submit = call.operation() == Operation.SUBMIT;
        boolean retryable = transientFailure && (!submit || SUBMIT_NOT_PROCESSED_STATUSES.contains(status));
        boolean unknown = submit && status >= 500 && !retryable;
        String message = httpMessage(call, status, error);
        if (unknown) {
            message += Operation.SUBMIT_UNKNOWN_HINT;
        }
        Duration retryAfter = transientFailure ? retryAfter(response.headers()) : null;
        return new Failure(message, status, error.errorClass(), error.code(), requestId, error.text(),
                transientFailure || unknown, retryable, unknown, retryAfter, null);
    }

    private static String httpMessage(Call call, int status, BesJson.ErrorBody error) {
        String code = error.code();
        String label = "(" + status + (code == null ? "" : " " + code) + ")";
        String said = error.text() == null ? "" : ": " + error.text();
        String what = call.operation().label;
        return switch (status) {
            case 401 -> "BES refused the credentials " + label
                    + ": check the definition's bes.api-key (and bes.subscription-key for a gateway)";
            case 403 -> "BES refused access " + label + said
                    + "; check the definition's bes.subscription-key and bes.api-key, and that the gateway admits this host";
            case 404 -> {
                if (call.jobId() != null && !BesException.namesMissingService(code)) {
                    yield "BES does not know job " + call.jobId() + " " + label
                            + ": it may have been cancelled or removed; otherwise check bes.endpoint, bes.workspace and bes.service";
                }
                yield "BES found no such web service " + label + ": check bes.endpoint, bes.workspace and bes.service";
            }
            case 400 -> {
                if (call.operation() == Operation.START && code != null && code.equalsIgnoreCase("CannotStartJob")) {
                    yield "BES cannot start job " + call.jobId() + " " + label + said + " (it was most likely started already)";
                }
                yield "BES rejected the " + what + " " + label + said + hint(code);
            }
            case 413 -> "BES refused the " + what + " as too large " + label + said;
            case 408 -> "BES timed out on the " + what + " " + label + said;
            case 429, 503 -> "BES is busy or unavailable " + label + said;
            case 500 -> "BES failed internally on the " + what + " " + label + said;
            case 502, 504 -> "The BES gateway got no good answer for the " + what + " " + label + said;
            default -> "BES answered HTTP " + status + " to the " + what + " " + label + said;
        };
    }

    private static String hint(String code) {
        if (code == null) {
            return "";
        }
        return switch (code.toLowerCase(Locale.ROOT)) {
            case "invalidinputnames", "invalidoutputoverridename", "batchjobinputsnotspecified",
                    "batchjobinputstoomanyspecified" ->
                    "; the definition's input and output names must match the service's (see its swagger.json)";
            case "missingrequiredglobalparameters" -> "; set them under global-parameters in the definition";
            case "invalidblobextension" -> "; output blob names must end in .csv, .tsv or .arff";
            case "invalidblobconnectionstring" -> "; check storage.connection-string in the definition";
            case "blobnotfound" -> "; BES cannot read the staged input blob: check the storage account and credentials";
            case "inputparseerror", "inputmismatcherror" -> "; the input file does not match what the service expects";
            default -> "";
        };
    }

    private Failure transportFailure(Call call, IOException e, String clientRequestId) {
        boolean submit = call.operation() == Operation.SUBMIT;
        String what = call.operation().label;
        String host = call.uri().getHost() + (call.uri().getPort() >= 0 ? ":" + call.uri().getPort() : "");
        String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (neverSent(e)) {
            return new Failure("Could not connect to BES at " + host + " (" + reason
                    + "); check bes.endpoint and that the service or gateway is up and reachable",
                    0, "ConnectFailed", "ConnectFailed", clientRequestId, null, true, true, false, null, e);
        }
        if (e instanceof SSLHandshakeException) {
            // The handshake precedes the request, so even a submit went nowhere; retrying will not fix a certificate.
            return new Failure("The TLS handshake with BES at " + host + " failed (" + reason
                    + "); check bes.endpoint and the server's certificate", 0, "TlsFailed", "TlsFailed",
                    clientRequestId, null, false, false, false, null, e);
        }
        String unknownHint = submit ? Operation.SUBMIT_UNKNOWN_HINT : "";
        if (submit && e.getMessage() != null && e.getMessage().contains("204 response")) {
            // The JDK client refuses a 204 that carries a body: BES accepted the job, but its id is unreadable.
            return new Failure("BES accepted the job submit with HTTP 204 and put the job id in a body, which HTTP"
                    + " does not allow after a 204 and this client cannot read" + unknownHint, 204, "UnexpectedResponse",
                    "UnexpectedResponse", clientRequestId, null, false, false, true, null, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new Failure("BES did not answer the " + what + " within " + Units.format(requestTimeout) + unknownHint,
                    0, "Timeout", "Timeout", clientRequestId, null, true, !submit, submit, null, e);
        }
        return new Failure("The connection to BES at " + host + " was lost during the " + what + " (" + reason + ")"
                + unknownHint, 0, "ConnectionLost", "ConnectionLost", clientRequestId, null, true, !submit, submit, null, e);
    }

    /** Whether the failure happened before the request could leave: no connection was made. */
    private static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- helpers

    /** The service's request id header, else the client request id this client sent. */
    private static String requestId(HttpResponse<?> response) {
        for (String name : REQUEST_ID_HEADERS) {
            Optional<String> value = response.headers().firstValue(name);
            if (value.isPresent() && !value.get().isBlank()) {
                return Redactor.scrub(value.get().strip());
            }
        }
        return response.request().headers().firstValue("x-ms-client-request-id").orElse(null);
    }

    /**
     * The wait the service asks for: {@code Retry-After} in seconds or as an HTTP date, or
     * {@code retry-after-ms} / {@code x-ms-retry-after-ms}; null when absent or unreadable.
     */
    static Duration retryAfter(HttpHeaders headers) {
        for (String name : List.of("retry-after-ms", "x-ms-retry-after-ms")) {
            Optional<String> millis = headers.firstValue(name);
            if (millis.isPresent()) {
                try {
                    return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(millis.get().strip())));
                } catch (NumberFormatException ignored) {
                    // fall through to Retry-After
                }
            }
        }
        Optional<String> header = headers.firstValue("Retry-After");
        if (header.isEmpty() || header.get().isBlank()) {
            return null;
        }
        String value = header.get().strip();
        try {
            double seconds = Double.parseDouble(value);
            return seconds <= 0 ? Duration.ZERO : Duration.ofMillis((long) Math.ceil(seconds * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration until = Duration.between(ZonedDateTime.now(when.getZone()), when);
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private URI uri(String path) {
        String base = endpoint.serviceUri().toString();
        String query = endpoint.serviceUri().getRawQuery();
        if (query != null) {
            // Only a hand-made endpoint can carry a query; keep it and add ours.
            String withoutQuery = base.substring(0, base.indexOf('?'));
            return URI.create(withoutQuery + path + "?" + query + "&" + API_VERSION);
        }
        return URI.create(base + path + "?" + API_VERSION);
    }

    private static String jobSegment(String jobId) {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("a BES job id is required");
        }
        return BesEndpoint.segment(jobId.strip());
    }

    private Duration connectTimeout() {
        return requestTimeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? requestTimeout : MAX_CONNECT_TIMEOUT;
    }

    private static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(EXECUTOR)
                .build();
    }

    private static CustomizableThreadFactory daemonThreads() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("bes-http-");
        threads.setDaemon(true);
        return threads;
    }

    private static void closeQuietly(HttpClient client) {
        // HttpClient is AutoCloseable from Java 21; on 17 its selector thread ends once it is unreachable.
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("closing the HTTP client failed", e);
            }
        }
    }
}
