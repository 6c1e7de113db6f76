package dev.besworker.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of Azurite, for tests that need a transfer to be slow enough to
 * interrupt, or damaged on the way. It forwards bytes as they are, and can
 * <ul>
 * <li>limit the rate of both directions ({@link #throttle(long)}; 0 lifts the limit),</li>
 * <li>count the bytes answered on connections that carried a download,</li>
 * <li>damage one byte of the body of the next successful response to a GET whose request line
 * contains a marker ({@link #corruptNextDownload(String)}): what a flaky network or middlebox
 * does, and what the MD5 check must catch.</li>
 * </ul>
 * When the target is down, a new connection is accepted and closed at once, as a dead host's
 * load balancer would.
 */
final class TcpProxy implements AutoCloseable {

    private static final int CHUNK = 16 * 1024;

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger corrupted = new AtomicInteger();
    private final RateLimiter upLimit = new RateLimiter();
    private final RateLimiter downLimit = new RateLimiter();
    private final AtomicLong markedDownstream = new AtomicLong();
    private final RateLimiter markedLimit = new RateLimiter();
    private volatile String corruptMarker;
    private volatile String throttleMarker;
    private volatile boolean closed;
    private volatile boolean refusing;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port forwarding to {@code 127.0.0.1:targetPort}. */
    static TcpProxy start(int targetPort) throws IOException {
        return new TcpProxy(targetPort);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Azurite's connection string with the blob endpoint moved to this proxy. */
    String connectionString(String azuriteConnectionString, int azuritePort) {
        return azuriteConnectionString.replace("127.0.0.1:" + azuritePort, "127.0.0.1:" + port());
    }

    /** Limits each direction to about {@code bytesPerSecond}; 0 forwards at full speed. */
    void throttle(long bytesPerSecond) {
        upLimit.rate = bytesPerSecond;
        downLimit.rate = bytesPerSecond;
    }

    /**
     * Limits the answers on connections that carried a GET whose request line contains
     * {@code marker} (a download) to about {@code bytesPerSecond}, leaving other traffic alone.
     */
    void throttleDownloads(String marker, long bytesPerSecond) {
        markedLimit.rate = bytesPerSecond;
        throttleMarker = marker;
    }

    /** Bytes answered on connections marked by {@link #throttleDownloads}. */
    long markedDownstreamBytes() {
        return markedDownstream.get();
    }

    /** Damages one body byte of the next 200/206 answer to a GET whose request line contains {@code marker}. */
    void corruptNextDownload(String marker) {
        corruptMarker = marker;
    }

    /** How many answers were damaged so far. */
    int corruptedResponses() {
        return corrupted.get();
    }

    /**
     * While true, new connections are closed at once instead of forwarded, as when the target is
     * down; together with {@link #dropConnections()} it lets the target stop without clients.
     */
    void refuse(boolean value) {
        refusing = value;
    }

    /** Closes every open connection (the target stays up). */
    void dropConnections() {
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        dropConnections();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            }
            catch (IOException ex) {
                return;
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Socket target = new Socket();
            try {
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
            }
            catch (IOException targetDown) {
                closeQuietly(client);
                closeQuietly(target);
                continue;
            }
            sockets.add(client);
            sockets.add(target);
            Connection connection = new Connection();
            pump(client, target, true, connection);
            pump(target, client, false, connection);
        }
    }

    /** What the two directions of one connection share: whether the next answer is to be damaged. */
    private static final class Connection {
        volatile boolean corruptNextAnswer;
        volatile boolean marked;
    }

    private void pump(Socket from, Socket to, boolean up, Connection connection) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[CHUNK];
            ResponseDamage damage = new ResponseDamage();
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (up) {
                        String marker = corruptMarker;
                        if (marker != null && requestLineMatches(buffer, n, marker)) {
                            connection.corruptNextAnswer = true;
                        }
                        String slow = throttleMarker;
                        if (slow != null && requestLineMatches(buffer, n, slow)) {
                            connection.marked = true;
                        }
                    }
                    else if (connection.corruptNextAnswer) {
                        if (damage.apply(buffer, n)) {
                            connection.corruptNextAnswer = false;
                            if (damage.damaged) {
                                corruptMarker = null;
                                corrupted.incrementAndGet();
                            }
                            damage = new ResponseDamage();
                        }
                    }
                    (up ? upLimit : downLimit).await(n);
                    if (!up && connection.marked) {
                        markedLimit.await(n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    if (!up && connection.marked) {
                        markedDownstream.addAndGet(n);
                    }
                }
            }
            catch (IOException | InterruptedException ex) {
                // a side closed: close the other
            }
            finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-" + (up ? "up" : "down"));
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean requestLineMatches(byte[] buffer, int n, String marker) {
        String head = new String(buffer, 0, Math.min(n, 2048), StandardCharsets.ISO_8859_1);
        int lineEnd = head.indexOf("\r\n");
        String line = lineEnd < 0 ? head : head.substring(0, lineEnd);
        return line.startsWith("GET ") && line.contains(marker);
    }

    /**
     * Finds the end of a response's headers and flips one bit of the body byte that follows, if
     * the status is 200 or 206. {@link #apply} returns true once it has decided (damaged or not).
     */
    private static final class ResponseDamage {
        private final StringBuilder head = new StringBuilder();
        private boolean headersDone;
        boolean damaged;

        boolean apply(byte[] buffer, int n) {
            if (headersDone) {
                // the headers ended exactly at the previous chunk's end
                buffer[0] ^= 0x01;
                damaged = true;
                return true;
            }
            for (int i = 0; i < n; i++) {
                head.append((char) (buffer[i] & 0xff));
                int length = head.length();
                if (length >= 4 && head.substring(length - 4).equals("\r\n\r\n")) {
                    if (!(head.indexOf("HTTP/1.1 200") == 0 || head.indexOf("HTTP/1.1 206") == 0)) {
                        return true;
                    }
                    headersDone = true;
                    if (i + 1 < n) {
                        buffer[i + 1] ^= 0x01;
                        damaged = true;
                        return true;
                    }
                    return false;
                }
                if (length > 64 * 1024) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Spaces writes so that about {@code rate} bytes pass per second. */
    private static final class RateLimiter {
        volatile long rate;
        private long next = System.nanoTime();

        void await(int bytes) throws InterruptedException {
            long limit = rate;
            if (limit <= 0) {
                return;
            }
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                long start = Math.max(now, next);
                next = start + bytes * 1_000_000_000L / limit;
                wait = next - now;
            }
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception ignored) {
            // closing anyway
        }
    }
}
