package dev.besworker.bes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A scripted stand-in for a BES service on a loopback port: records every request and answers
 * with the next scripted reply (an unscripted request gets a 599 so a test notices).
 */
final class FakeBes implements AutoCloseable {

    /** A request as the server saw it; header names are lower case. */
    record Recorded(String method, String path, String query, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** What the server does with one request. */
    sealed interface Reply permits Answer, Drop, Hang {
    }

    /** Answer with a status, headers and a body. */
    record Answer(int status, Map<String, String> headers, String body) implements Reply {

        Answer header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, body);
        }
    }

    /** Close the connection without answering. */
    record Drop() implements Reply {
    }

    /** Never answer (until the server closes), so the client times out. */
    record Hang() implements Reply {
    }

    static Answer json(int status, String body) {
        return new Answer(status, Map.of("Content-Type", "application/json; charset=utf-8"), body);
    }

    static Answer empty(int status) {
        return new Answer(status, Map.of(), "");
    }

    static Answer text(int status, String contentType, String body) {
        return new Answer(status, Map.of("Content-Type", contentType), body);
    }

    static Answer besError(int status, String errorClass, String code, String message) {
        String details = code == null ? "" : ",\"details\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]";
        return json(status, "{\"error\":{\"code\":\"" + errorClass + "\",\"message\":\"" + message + "\"" + details + "}}");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-bes");
        thread.setDaemon(true);
        return thread;
    });
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Recorded> requests = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch closing = new CountDownLatch(1);

    private FakeBes(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A fake on a free port. */
    static FakeBes start() throws IOException {
        return new FakeBes(0);
    }

    /** A fake on a given port (for a test that brings the service up late). */
    static FakeBes startOn(int port) throws IOException {
        return new FakeBes(port);
    }

    /** Appends replies to the script, played in order. */
    FakeBes then(Reply... replies) {
        synchronized (script) {
            script.addAll(List.of(replies));
        }
        return this;
    }

    /** Every request seen, in arrival order. */
    List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    Recorded lastRequest() {
        List<Recorded> all = requests();
        return all.get(all.size() - 1);
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, body));
        }
        Reply reply;
        synchronized (script) {
            reply = script.poll();
        }
        if (reply == null) {
            reply = json(599, "{\"error\":{\"code\":\"Unscripted\",\"message\":\"the test did not script this request\"}}");
        }
        if (reply instanceof Drop) {
            exchange.close(); // closing before any header is sent closes the socket
        } else if (reply instanceof Hang) {
            try {
                closing.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        } else if (reply instanceof Answer answer) {
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
            boolean noBody = bytes.length == 0 || answer.status() == 204 || answer.status() == 304;
            exchange.sendResponseHeaders(answer.status(), noBody ? -1 : bytes.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            exchange.close();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
