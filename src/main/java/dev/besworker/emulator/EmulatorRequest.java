package dev.besworker.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.sun.net.httpserver.HttpExchange;

/**
 * One request to the emulator, read whole: method, decoded path segments, query (first value
 * of each name, case-insensitive) and body; and {@link #route()}, where its path leads.
 */
record EmulatorRequest(HttpExchange exchange, String method, List<String> segments, Map<String, String> query, byte[] body) {

    private static final int MAX_BODY = 64 << 20;

    /** Where a path leads: the operation name (for faults and counters) and its parts. */
    record Route(String operation, String workspace, String service, String jobId, boolean admin) {
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** Reads the request; a body over 64 MiB is refused with 413 MemoryQuotaViolation. */
    static EmulatorRequest read(HttpExchange exchange) throws IOException {
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
        return new EmulatorRequest(exchange, exchange.getRequestMethod().toUpperCase(Locale.ROOT), segments, query, body);
    }

    /** Where this request goes: the admin API, swagger, one of the BES/RRS operations, or nowhere (operation null). */
    Route route() {
        List<String> s = segments;
        if (!s.isEmpty() && s.get(0).equals("_emulator")) {
            return new Route(null, null, null, null, true);
        }
        boolean swagger = !s.isEmpty() && s.get(s.size() - 1).equalsIgnoreCase("swagger.json");
        int w = -1;
        for (int i = 0; i + 3 < s.size(); i++) {
            if (s.get(i).equalsIgnoreCase("workspaces") && s.get(i + 2).equalsIgnoreCase("services")) {
                w = i;
                break;
            }
        }
        if (w < 0) {
            return new Route(swagger ? "swagger" : null, null, null, null, false);
        }
        String workspace = s.get(w + 1);
        String service = s.get(w + 3);
        if (swagger) {
            return new Route("swagger", workspace, service, null, false);
        }
        List<String> rest = s.subList(w + 4, s.size());
        String op = null;
        String jobId = null;
        if (rest.size() == 1 && rest.get(0).equalsIgnoreCase("execute")) {
            op = "execute";
        }
        else if (!rest.isEmpty() && rest.get(0).equalsIgnoreCase("jobs")) {
            if (rest.size() == 1) {
                op = method.equals("GET") ? "list" : "submit";
            }
            else if (rest.size() == 2) {
                jobId = rest.get(1);
                op = method.equals("DELETE") ? "delete" : "status";
            }
            else if (rest.size() == 3 && rest.get(2).equalsIgnoreCase("start")) {
                jobId = rest.get(1);
                op = "start";
            }
        }
        return new Route(op, workspace, service, jobId, false);
    }

    /** Refuses the request with 405 and an {@code Allow} header unless its method is one of {@code allowed}. */
    void requireMethod(String... allowed) {
        if (!Arrays.asList(allowed).contains(method)) {
            throw new ApiError(405, "MethodNotAllowed", null, method + " is not allowed here; use "
                    + String.join(" or ", allowed) + ".", Map.of("Allow", String.join(", ", allowed)));
        }
    }
}
