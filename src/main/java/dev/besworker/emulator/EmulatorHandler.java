package dev.besworker.emulator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import dev.besworker.emulator.EmulatorRequest.Route;
import dev.besworker.secrets.Redactor;
import tools.jackson.core.JacksonException;

/**
 * Routes every request of the emulator: checks keys, api-version and ids, applies injected
 * faults, and answers the BES job API and swagger itself; RRS goes to {@link RrsApi}, the
 * admin API to {@link AdminApi}.
 */
final class EmulatorHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(EmulatorHandler.class);
    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");

    private final EmulatorSettings settings;
    private final JobEngine engine;
    private final Counters counters;
    private final Faults faults;
    private final CountDownLatch closing;
    private final FeatureHashingTransform transform;
    private final RrsApi rrs;
    private final AdminApi admin;
    private final byte[] apiKey;
    private final byte[] subscriptionKey;

    EmulatorHandler(EmulatorSettings settings, JobEngine engine, Counters counters, Faults faults, CountDownLatch closing) {
        this.settings = settings;
        this.engine = engine;
        this.counters = counters;
        this.faults = faults;
        this.closing = closing;
        this.transform = new FeatureHashingTransform(settings.hashColumn(), settings.bits(), settings.ngrams());
        this.rrs = new RrsApi(settings, counters, transform);
        this.admin = new AdminApi(settings, engine, counters, faults);
        this.apiKey = settings.apiKey() == null ? null : settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.subscriptionKey = settings.subscriptionKey() == null ? null
                : settings.subscriptionKey().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) {
        String requestId = UUID.randomUUID().toString();
        exchange.getResponseHeaders().set("x-ms-request-id", requestId);
        String clientRequestId = exchange.getRequestHeaders().getFirst("x-ms-client-request-id");
        if (clientRequestId != null) {
            exchange.getResponseHeaders().set("x-ms-client-request-id", clientRequestId);
        }
        try {
            EmulatorRequest call;
            try {
                call = EmulatorRequest.read(exchange);
            }
            catch (ApiError ex) {
                send(exchange, ex.toReply());
                return;
            }
            Route route = call.route();
            if (route.admin()) {
                send(exchange, safely(() -> admin.handle(call)));
                return;
            }
            if (route.operation() != null) {
                counters.request(route.operation());
            }
            FaultRule fault = route.operation() == null ? null : faults.decide(route.operation());
            if (fault != null) {
                counters.faultsFired.incrementAndGet();
                log.debug("Fault {} fires on {} {}", fault.kind, call.method(), exchange.getRequestURI().getPath());
            }
            if (fault != null && !fault.after && fault.kind != FaultRule.Kind.SLOW) {
                applyFault(exchange, fault);
                return;
            }
            if (fault != null && fault.kind == FaultRule.Kind.SLOW && !fault.after) {
                pause(fault.delayMillis);
            }
            Reply reply = safely(() -> dispatch(call, route));
            if (fault != null && fault.after) {
                if (fault.kind == FaultRule.Kind.SLOW) {
                    pause(fault.delayMillis);
                }
                else {
                    applyFault(exchange, fault);
                    return;
                }
            }
            send(exchange, reply);
        }
        catch (IOException ex) {
            log.debug("Could not answer {}: {}", exchange.getRequestURI().getPath(), ex.toString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            exchange.close();
        }
    }

    private interface ReplySupplier {
        Reply get() throws IOException;
    }

    private Reply safely(ReplySupplier supplier) {
        try {
            return supplier.get();
        }
        catch (ApiError ex) {
            return ex.toReply();
        }
        catch (JacksonException ex) {
            return ApiError.badArgument("RequestBodyInvalid", "The request body is not valid JSON: "
                    + ex.getOriginalMessage()).toReply();
        }
        catch (IllegalArgumentException ex) {
            return ApiError.badArgument("RequestBodyInvalid", Redactor.scrub(ex.getMessage())).toReply();
        }
        catch (IOException | RuntimeException ex) {
            log.warn("Emulator error: {}", Redactor.scrub(String.valueOf(ex)));
            return new ApiError(500, "InternalError", null, "Execution encountered an internal error.").toReply();
        }
    }

    private Reply dispatch(EmulatorRequest call, Route route) throws IOException {
        if (route.operation() == null) {
            throw ApiError.notFound("ResourceNotFound", "No such resource: " + call.exchange().getRequestURI().getPath());
        }
        if (route.operation().equals("swagger")) {
            call.requireMethod("GET");
            return swagger(call, ServiceShape.of(route.service()));
        }
        authorize(call);
        String version = call.query().get("api-version");
        if (!"2.0".equals(version)) {
            throw ApiError.badArgument("BadVersionCall", version == null
                    ? "The api-version query parameter is missing; use api-version=2.0."
                    : "The api-version '" + version + "' is not supported; use api-version=2.0.");
        }
        checkService(route);
        return switch (route.operation()) {
            case "submit" -> {
                call.requireMethod("POST");
                ServiceShape shape = ServiceShape.of(route.service());
                JobSpec spec = JobSpec.parse(call.body(), shape.inputNames(), shape.outputNames(),
                        settings.requiredGlobalParameters());
                Job job = engine.submit(route.workspace().toLowerCase(Locale.ROOT), route.service().toLowerCase(Locale.ROOT), spec);
                log.debug("Submitted job {} for {}", job.id, spec.inputs().values());
                yield new Reply(200, ("\"" + job.id + "\"").getBytes(StandardCharsets.UTF_8),
                        "application/json; charset=utf-8", Map.of());
            }
            case "list" -> {
                List<Map<String, Object>> list = new ArrayList<>();
                for (Job job : engine.jobs()) {
                    if (job.workspace.equalsIgnoreCase(route.workspace()) && job.service.equalsIgnoreCase(route.service())) {
                        list.add(ServiceDescription.map("Id", job.id, "StatusCode", job.state().wireName));
                    }
                }
                yield Reply.json(200, list);
            }
            case "start" -> {
                call.requireMethod("POST");
                engine.start(job(route));
                yield Reply.empty(200);
            }
            case "status" -> {
                call.requireMethod("GET", "DELETE");
                counters.statusCalls.incrementAndGet();
                yield Reply.json(200, engine.status(job(route)));
            }
            case "delete" -> {
                engine.delete(job(route));
                yield Reply.empty(200);
            }
            case "execute" -> {
                call.requireMethod("POST");
                yield rrs.execute(call, ServiceShape.of(route.service()));
            }
            default -> throw ApiError.notFound("ResourceNotFound", "No such resource.");
        };
    }

    private Job job(Route route) {
        if (route.jobId() == null || route.jobId().isBlank()) {
            throw ApiError.badArgument("MissingJobId", "The job id is missing from the path.");
        }
        Job job = engine.get(route.jobId());
        if (job == null || !job.workspace.equalsIgnoreCase(route.workspace()) || !job.service.equalsIgnoreCase(route.service())) {
            throw ApiError.notFound("JobNotFound", "Job '" + route.jobId() + "' was not found.");
        }
        return job;
    }

    private void authorize(EmulatorRequest call) {
        if (subscriptionKey != null) {
            String given = call.header("Ocp-Apim-Subscription-Key");
            if (given == null || !MessageDigest.isEqual(subscriptionKey, given.trim().getBytes(StandardCharsets.UTF_8))) {
                throw new GatewayDenied();
            }
        }
        String header = call.header("Authorization");
        String token = null;
        if (header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).trim();
        }
        boolean ok = token != null && !token.isEmpty()
                && (apiKey == null || MessageDigest.isEqual(apiKey, token.getBytes(StandardCharsets.UTF_8)));
        if (!ok) {
            throw new ApiError(401, "Unauthorized", "ScoreRequestUnauthorized", "Invalid credentials provided.",
                    Map.of("WWW-Authenticate", "Bearer"));
        }
    }

    /** An API Management gateway refusing a call without the right subscription key (its own body shape). */
    private static final class GatewayDenied extends ApiError {
        GatewayDenied() {
            super(401, "Unauthorized", null, "Access denied due to missing or invalid subscription key. Make sure to "
                    + "provide a valid key for an active subscription.");
        }

        @Override
        Reply toReply() {
            return Reply.json(401, ServiceDescription.map("statusCode", 401, "message", getMessage()));
        }
    }

    private void checkService(Route route) {
        String workspace = route.workspace();
        String service = route.service();
        if (!HEX32.matcher(workspace).matches()
                || (!settings.workspaces().isEmpty() && !settings.workspaces().contains(workspace.toLowerCase(Locale.ROOT)))) {
            throw ApiError.notFound("WorkspaceNotFound", "Workspace '" + workspace + "' was not found.");
        }
        if (!HEX32.matcher(service).matches()
                || (!settings.services().isEmpty() && !settings.services().contains(service.toLowerCase(Locale.ROOT)))) {
            throw ApiError.notFound("WebServiceNotFound", "Web service '" + service + "' was not found.");
        }
    }

    private Reply swagger(EmulatorRequest call, ServiceShape shape) {
        List<String> s = call.segments();
        String basePath = "/" + String.join("/", s.subList(0, s.size() - 1));
        String host = call.header("Host");
        if (host == null) {
            host = "127.0.0.1:" + call.exchange().getLocalAddress().getPort();
        }
        return Reply.json(200, ServiceDescription.swagger(settings, shape, host, basePath, transform));
    }

    // ---------------------------------------------------------------- faults

    private void applyFault(HttpExchange exchange, FaultRule fault) throws IOException, InterruptedException {
        switch (fault.kind) {
            case HTTP -> {
                String errorClass = ApiError.classFor(fault.status);
                Map<String, String> headers = fault.retryAfterSeconds == null ? Map.of()
                        : Map.of("Retry-After", Integer.toString(fault.retryAfterSeconds));
                send(exchange, new ApiError(fault.status, errorClass, fault.code,
                        ApiError.defaultMessageFor(fault.status, fault.code, settings.maxConcurrentJobs()), headers).toReply());
            }
            case RESET -> {
                // Closing before any response header is sent drops the connection: the client reads EOF.
            }
            case HANG -> {
                pause(fault.delayMillis);
            }
            case SLOW -> throw new IllegalStateException("slow faults answer normally");
        }
    }

    private void pause(long millis) throws InterruptedException {
        closing.await(millis, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- sending

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        var headers = exchange.getResponseHeaders();
        if (reply.contentType() != null) {
            headers.set("Content-Type", reply.contentType());
        }
        reply.headers().forEach(headers::set);
        if (reply.body() == null || reply.body().length == 0) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }
}
