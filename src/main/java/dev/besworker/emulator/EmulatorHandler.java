package dev.besworker.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import dev.besworker.secrets.Redactor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Routes every request of the emulator: BES, RRS, swagger and the admin API. */
final class EmulatorHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(EmulatorHandler.class);
    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final int MAX_BODY = 64 << 20;
    private static final Set<String> INPUTS = Set.of(EmulatorSettings.INPUT_NAME);
    private static final Set<String> OUTPUTS = Set.of(EmulatorSettings.OUTPUT_NAME);

    private final EmulatorSettings settings;
    private final JobEngine engine;
    private final Counters counters;
    private final Faults faults;
    private final CountDownLatch closing;
    private final FeatureHashingTransform transform;
    private final Semaphore rrsSlots;
    private final byte[] apiKey;
    private final byte[] subscriptionKey;

    EmulatorHandler(EmulatorSettings settings, JobEngine engine, Counters counters, Faults faults, CountDownLatch closing) {
        this.settings = settings;
        this.engine = engine;
        this.counters = counters;
        this.faults = faults;
        this.closing = closing;
        this.transform = new FeatureHashingTransform(settings.hashColumn(), settings.bits(), settings.ngrams());
        this.rrsSlots = new Semaphore(settings.maxConcurrentRequests());
        this.apiKey = settings.apiKey() == null ? null : settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.subscriptionKey = settings.subscriptionKey() == null ? null
                : settings.subscriptionKey().getBytes(StandardCharsets.UTF_8);
    }

    /** A parsed request. */
    private record Call(HttpExchange exchange, String method, List<String> segments, Map<String, String> query, byte[] body) {
        String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }
    }

    /** Where a path leads: the operation name (for faults and counters) and its parts. */
    private record Route(String operation, String workspace, String service, String jobId, boolean admin) {
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
            Call call;
            try {
                call = parse(exchange);
            }
            catch (ApiError ex) {
                send(exchange, ex.toReply());
                return;
            }
            Route route = route(call);
            if (route.admin()) {
                send(exchange, safely(() -> admin(call)));
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

    private Call parse(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new ApiError(413, "MemoryQuotaViolation", null, "The request body is larger than " + (MAX_BODY >> 20)
                    + " MiB.");
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        List<String> segments = new ArrayList<>();
        String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (trimmed.endsWith("/") && trimmed.length() > 1 && !trimmed.endsWith("//")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        for (String segment : trimmed.split("/", -1)) {
            segments.add(URLDecoder.decode(segment, StandardCharsets.UTF_8));
        }
        Map<String, String> query = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(key, value);
            }
        }
        return new Call(exchange, exchange.getRequestMethod().toUpperCase(Locale.ROOT), segments, query, body);
    }

    private static Route route(Call call) {
        List<String> s = call.segments();
        if (!s.isEmpty() && s.get(0).equals("_emulator")) {
            return new Route(null, null, null, null, true);
        }
        if (!s.isEmpty() && s.get(s.size() - 1).equalsIgnoreCase("swagger.json")) {
            return new Route("swagger", null, null, null, false);
        }
        int w = -1;
        for (int i = 0; i + 3 < s.size(); i++) {
            if (s.get(i).equalsIgnoreCase("workspaces") && s.get(i + 2).equalsIgnoreCase("services")) {
                w = i;
                break;
            }
        }
        if (w < 0) {
            return new Route(null, null, null, null, false);
        }
        String workspace = s.get(w + 1);
        String service = s.get(w + 3);
        List<String> rest = s.subList(w + 4, s.size());
        String op = null;
        String jobId = null;
        if (rest.size() == 1 && rest.get(0).equalsIgnoreCase("execute")) {
            op = "execute";
        }
        else if (!rest.isEmpty() && rest.get(0).equalsIgnoreCase("jobs")) {
            if (rest.size() == 1) {
                op = call.method().equals("GET") ? "list" : "submit";
            }
            else if (rest.size() == 2) {
                jobId = rest.get(1);
                op = call.method().equals("DELETE") ? "delete" : "status";
            }
            else if (rest.size() == 3 && rest.get(2).equalsIgnoreCase("start")) {
                jobId = rest.get(1);
                op = "start";
            }
        }
        return new Route(op, workspace, service, jobId, false);
    }

    private Reply dispatch(Call call, Route route) throws IOException {
        if (route.operation() == null) {
            throw ApiError.notFound("ResourceNotFound", "No such resource: " + call.exchange().getRequestURI().getPath());
        }
        if (route.operation().equals("swagger")) {
            requireMethod(call, "GET");
            return swagger(call);
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
                requireMethod(call, "POST");
                JobSpec spec = JobSpec.parse(call.body(), INPUTS, OUTPUTS, settings.requiredGlobalParameters());
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
                requireMethod(call, "POST");
                engine.start(job(route));
                yield Reply.empty(200);
            }
            case "status" -> {
                requireMethod(call, "GET", "DELETE");
                counters.statusCalls.incrementAndGet();
                yield Reply.json(200, engine.status(job(route)));
            }
            case "delete" -> {
                engine.delete(job(route));
                yield Reply.empty(200);
            }
            case "execute" -> {
                requireMethod(call, "POST");
                yield execute(call);
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

    private static void requireMethod(Call call, String... allowed) {
        if (!Arrays.asList(allowed).contains(call.method())) {
            throw new ApiError(405, "MethodNotAllowed", null, call.method() + " is not allowed here; use "
                    + String.join(" or ", allowed) + ".", Map.of("Allow", String.join(", ", allowed)));
        }
    }

    private void authorize(Call call) {
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

    private Reply swagger(Call call) {
        List<String> s = call.segments();
        String basePath = "/" + String.join("/", s.subList(0, s.size() - 1));
        String host = call.header("Host");
        if (host == null) {
            host = "127.0.0.1:" + call.exchange().getLocalAddress().getPort();
        }
        return Reply.json(200, ServiceDescription.swagger(settings, host, basePath, transform));
    }

    // ---------------------------------------------------------------- RRS

    private Reply execute(Call call) throws IOException {
        if (!rrsSlots.tryAcquire()) {
            throw new ApiError(503, "ServiceUnavailable", "TooManyConcurrentRequests",
                    ApiError.defaultMessageFor(503, "TooManyConcurrentRequests", settings.maxConcurrentRequests()));
        }
        try {
            counters.executes.incrementAndGet();
            return Reply.json(200, score(call));
        }
        finally {
            rrsSlots.release();
        }
    }

    private Map<String, Object> score(Call call) {
        JsonNode root;
        try {
            root = call.body().length == 0 ? null : Reply.JSON.readTree(call.body());
        }
        catch (JacksonException ex) {
            throw ApiError.badArgument("RequestBodyInvalid", "The request body is not valid JSON: " + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badArgument("RequestBodyInvalid", "The request body must be a JSON object with Inputs.");
        }
        JsonNode inputs = JobSpec.field(root, "Inputs");
        if (inputs == null || !inputs.isObject() || inputs.isEmpty()) {
            throw ApiError.badArgument("BatchJobInputsNotSpecified", "No inputs are specified; the service takes "
                    + EmulatorSettings.INPUT_NAME + ".");
        }
        for (String name : inputs.propertyNames()) {
            if (!INPUTS.contains(name)) {
                throw ApiError.badArgument("InvalidInputNames", "Input name '" + name
                        + "' is not an input of this service; expected: " + EmulatorSettings.INPUT_NAME + ".");
            }
        }
        JsonNode table = inputs.get(EmulatorSettings.INPUT_NAME);
        if (table == null || !table.isObject()) {
            throw ApiError.badArgument("InvalidInputNames", "Input '" + EmulatorSettings.INPUT_NAME + "' is required.");
        }
        JsonNode names = JobSpec.field(table, "ColumnNames");
        JsonNode values = JobSpec.field(table, "Values");
        if (names == null || !names.isArray() || values == null || !values.isArray()) {
            throw new ApiError(400, "BadUserArgument", "InputParseError",
                    "Input '" + EmulatorSettings.INPUT_NAME + "' needs ColumnNames (array of strings) and Values (array of rows).");
        }
        List<String> columns = new ArrayList<>();
        for (JsonNode name : names) {
            columns.add(name.isNull() ? "" : name.asString());
        }
        int textIndex = columns.indexOf(settings.hashColumn());
        if (textIndex < 0) {
            throw new ApiError(400, "BadUserArgument", "InputMismatchError", "Column '" + settings.hashColumn()
                    + "' is missing from input '" + EmulatorSettings.INPUT_NAME + "' (columns: " + String.join(", ", columns) + ").");
        }
        List<List<String>> rows = new ArrayList<>();
        int[] counts = new int[transform.hasher().dimension()];
        int rowNumber = 0;
        for (JsonNode row : values) {
            rowNumber++;
            if (!row.isArray() || row.size() != columns.size()) {
                throw new ApiError(400, "BadUserArgument", "InputMismatchError", "Row " + rowNumber + " of input '"
                        + EmulatorSettings.INPUT_NAME + "' has " + (row.isArray() ? row.size() : 0)
                        + " values but there are " + columns.size() + " columns.");
            }
            List<String> out = new ArrayList<>(columns.size() + counts.length);
            for (JsonNode value : row) {
                out.add(value.isNull() ? "" : value.asString());
            }
            Arrays.fill(counts, 0);
            transform.hasher().addFeatures(out.get(textIndex), counts);
            for (int count : counts) {
                out.add(FeatureHashingTransform.number(count));
            }
            rows.add(out);
        }
        List<String> outputColumns = transform.outputColumns(columns);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("ColumnNames", outputColumns);
        if (!"false".equalsIgnoreCase(call.query().get("details"))) {
            List<String> types = new ArrayList<>();
            for (int i = 0; i < outputColumns.size(); i++) {
                types.add(i < columns.size() ? "String" : "Int32");
            }
            value.put("ColumnTypes", types);
        }
        value.put("Values", rows);
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("type", "table");
        output.put("value", value);
        return Map.of("Results", Map.of(EmulatorSettings.OUTPUT_NAME, output));
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

    // ---------------------------------------------------------------- admin

    private Reply admin(Call call) throws IOException {
        if (!settings.admin()) {
            throw ApiError.notFound("ResourceNotFound", "The admin API is not enabled.");
        }
        List<String> s = call.segments();
        String what = s.size() > 1 ? s.get(1).toLowerCase(Locale.ROOT) : "";
        String method = call.method();
        switch (what) {
            case "counters" -> {
                requireMethod(call, "GET");
                return Reply.json(200, countersJson());
            }
            case "reset" -> {
                requireMethod(call, "POST");
                engine.reset();
                faults.clear();
                counters.reset();
                return Reply.json(200, Map.of("reset", true));
            }
            case "faults" -> {
                requireMethod(call, "GET", "POST", "DELETE");
                if (method.equals("POST")) {
                    List<FaultRule> rules = new ArrayList<>();
                    for (JsonNode node : listOf(call.body())) {
                        rules.add(FaultRule.parse(node));
                    }
                    faults.add(rules);
                }
                else if (method.equals("DELETE")) {
                    faults.clear();
                }
                return Reply.json(200, Map.of("faults", faults.toJson()));
            }
            case "behaviour", "behaviours", "behavior", "behaviors" -> {
                requireMethod(call, "GET", "POST", "DELETE");
                if (method.equals("POST")) {
                    List<JobBehaviour.Entry> entries = new ArrayList<>();
                    for (JsonNode node : listOf(call.body())) {
                        entries.add(JobBehaviour.parse(node));
                    }
                    engine.addBehaviours(entries);
                }
                else if (method.equals("DELETE")) {
                    engine.clearBehaviours();
                }
                return Reply.json(200, Map.of("behaviours", engine.behavioursJson()));
            }
            case "jobs" -> {
                requireMethod(call, "GET");
                List<Map<String, Object>> list = new ArrayList<>();
                for (Job job : engine.jobs()) {
                    list.add(jobJson(job));
                }
                return Reply.json(200, list);
            }
            default -> throw ApiError.notFound("ResourceNotFound", "No admin resource '" + what
                    + "'; try counters, reset, faults, behaviour, jobs.");
        }
    }

    private Map<String, Object> countersJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("submits", counters.submits.get());
        out.put("submitsByInput", Counters.snapshot(counters.submitsByInput));
        out.put("starts", counters.starts.get());
        out.put("statusCalls", counters.statusCalls.get());
        out.put("deletes", counters.deletes.get());
        out.put("executes", counters.executes.get());
        out.put("requests", Counters.snapshot(counters.requests));
        out.put("faultsFired", counters.faultsFired.get());
        out.put("maxRunning", engine.maxRunning());
        Map<String, String> jobs = new LinkedHashMap<>();
        for (Job job : engine.jobs()) {
            jobs.put(job.id, job.state().adminName);
        }
        out.put("jobs", jobs);
        return out;
    }

    private static Map<String, Object> jobJson(Job job) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", job.id);
        out.put("workspace", job.workspace);
        out.put("service", job.service);
        out.put("state", job.state().adminName);
        out.put("createdAt", job.createdAt.toString());
        Map<String, String> inputs = new LinkedHashMap<>();
        job.spec.inputs().forEach((name, ref) -> inputs.put(name, ref.relativeLocation()));
        out.put("inputs", inputs);
        Map<String, String> outputs = new LinkedHashMap<>();
        Map<String, BlobRef> results = job.results();
        if (results != null) {
            results.forEach((name, ref) -> outputs.put(name, ref.relativeLocation()));
        }
        else {
            job.spec.outputs().forEach((name, ref) -> outputs.put(name, ref.relativeLocation()));
        }
        out.put("outputs", outputs);
        out.put("globalParameters", job.spec.globalParameters());
        out.put("details", job.details());
        return out;
    }

    private static List<JsonNode> listOf(byte[] body) {
        JsonNode root = Reply.JSON.readTree(body);
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("the body must be a JSON object or a list of objects");
        }
        List<JsonNode> out = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(out::add);
        }
        else {
            out.add(root);
        }
        return out;
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
