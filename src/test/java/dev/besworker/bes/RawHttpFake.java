package dev.besworker.bes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A socket-level fake for what {@link FakeBes}'s HTTP server cannot do: answer 204 with a body,
 * or reset the connection (RST) right after reading the request. One connection per request.
 */
final class RawHttpFake implements AutoCloseable {

    /** Writes these bytes as the whole answer, then closes. */
    static Object raw(String response) {
        return response;
    }

    /** Resets the connection after reading the request. */
    static final Object RESET = new Object();

    private final ServerSocket socket;
    private final ConcurrentLinkedDeque<Object> script = new ConcurrentLinkedDeque<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    RawHttpFake(Object... replies) throws IOException {
        script.addAll(List.of(replies));
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "raw-http-fake");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Each request's head and body as text. */
    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                requests.add(readRequest(connection.getInputStream()));
                Object reply = script.poll();
                if (reply == null || reply == RESET) {
                    connection.setSoLinger(true, 0); // close with RST instead of FIN
                    continue;
                }
                OutputStream out = connection.getOutputStream();
                out.write(((String) reply).getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // the socket was closed by close(), or the client went away: serve the next one
            }
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        String headText = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headText.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        byte[] body = in.readNBytes(length);
        return headText + new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
