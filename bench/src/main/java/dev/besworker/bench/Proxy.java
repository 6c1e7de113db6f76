package dev.besworker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A recording HTTP proxy in front of a BES emulator: the worker talks to it as if it were the
 * service, and it notes when each request arrived and, for status calls, what the answer said.
 * That is the request log the start-up, polling and big-file figures are read from (the
 * emulator counts calls, but keeps no times).
 */
final class Proxy implements AutoCloseable {

    /** One request as the proxy saw it; times are {@link System#nanoTime()}. */
    record Entry(long arrivedNanos, long answeredNanos, String method, String path, int status, String jobId,
            String statusCode) {

        boolean isStatusCall() {
            return method.equals("GET") && jobId != null && !path.endsWith("/start");
        }

        boolean isStart() {
            return method.equals("POST") && path.endsWith("/start");
        }
    }

    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host", "expect", "upgrade",
            "keep-alive", "transfer-encoding", "te", "trailer", "proxy-connection", "http2-settings");
    private static final Pattern JOB = Pattern.compile("/jobs/([0-9a-fA-F]{8,})");
    private static final Pattern STATUS_CODE = Pattern.compile("\"StatusCode\"\\s*:\\s*\"?([A-Za-z0-9]+)");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Entry> entries = new ArrayList<>();

    private Proxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A proxy for {@code target} (scheme, host and port) on a free loopback port. */
    static Proxy start(URI target) throws IOException {
        return new Proxy(target);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Everything recorded so far, in order of arrival. */
    synchronized List<Entry> entries() {
        List<Entry> copy = new ArrayList<>(entries);
        copy.sort((a, b) -> Long.compare(a.arrivedNanos, b.arrivedNanos));
        return copy;
    }

    synchronized void clear() {
        entries.clear();
    }

    /** The first request that arrived at or after {@code nanos}, or null. */
    Entry firstAfter(long nanos) {
        return entries().stream().filter(e -> e.arrivedNanos >= nanos).findFirst().orElse(null);
    }

    /** The entries about one job. */
    List<Entry> ofJob(String jobId) {
        return entries().stream().filter(e -> jobId.equalsIgnoreCase(e.jobId)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String pathAndQuery = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(pathAndQuery))
                    .timeout(Duration.ofMinutes(5))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            byte[] answer = response.body();
            String path = exchange.getRequestURI().getPath();
            Matcher job = JOB.matcher(path);
            String jobId = job.find() ? job.group(1).toLowerCase(Locale.ROOT) : null;
            if (jobId == null && path.endsWith("/jobs") && response.statusCode() == 200) {
                // a submit: the answer is the new job's id as a JSON string
                jobId = new String(answer, StandardCharsets.UTF_8).replace("\"", "").trim().toLowerCase(Locale.ROOT);
            }
            String statusCode = null;
            if (exchange.getRequestMethod().equals("GET") && jobId != null) {
                Matcher code = STATUS_CODE.matcher(new String(answer, StandardCharsets.UTF_8));
                statusCode = code.find() ? code.group(1) : null;
            }
            if (answer.length == 0) {
                exchange.sendResponseHeaders(response.statusCode(), -1);
            }
            else {
                exchange.sendResponseHeaders(response.statusCode(), answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
            synchronized (this) {
                entries.add(new Entry(arrived, System.nanoTime(), exchange.getRequestMethod(), path,
                        response.statusCode(), jobId, statusCode));
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
