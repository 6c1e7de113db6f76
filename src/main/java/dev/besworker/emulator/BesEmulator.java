package dev.besworker.emulator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for an Azure ML Studio (classic) web service running the reference Feature
 * Hashing experiment: the BES job API (submit, start, status, cancel), RRS {@code /execute} and
 * {@code swagger.json}, as {@code /work/shared/bes-api.md} describes them, with real blob I/O
 * through the connection strings or SAS tokens the caller sends (Azurite in tests). Serves
 * loopback only. With {@link EmulatorSettings#admin()} it also serves {@code /_emulator/...}:
 * counters, fault injection and job behaviours for tests.
 * <p>
 * Started jobs beyond {@link EmulatorSettings#maxConcurrentJobs()} per service wait FIFO; while
 * waiting their status says NotStarted, and a second start is refused with CannotStartJob
 * ("... in Queued state.").
 */
public final class BesEmulator implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService requestThreads;
    private final JobEngine engine;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final EmulatorSettings settings;

    private BesEmulator(EmulatorSettings settings) throws IOException {
        this.settings = settings;
        Counters counters = new Counters();
        this.engine = new JobEngine(settings, new BlobAccess(), counters);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 256);
        this.requestThreads = Executors.newCachedThreadPool(JobEngine.daemon("bes-emulator-http"));
        server.setExecutor(requestThreads);
        server.createContext("/", new EmulatorHandler(settings, engine, counters, new Faults(), closing));
        server.start();
    }

    /**
     * Starts an emulator; it listens when this returns.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static BesEmulator start(EmulatorSettings settings) {
        try {
            return new BesEmulator(settings);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start the BES emulator on 127.0.0.1:" + settings.port()
                    + ": " + ex.getMessage(), ex);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}, the endpoint a worker definition names. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The settings it runs with. */
    public EmulatorSettings settings() {
        return settings;
    }

    /** Stops listening, releases hanging requests and cancels running jobs. */
    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        engine.close();
        requestThreads.shutdownNow();
        try {
            requestThreads.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the emulator until the process is killed. Prints exactly one line to stdout when
     * ready: {@code BES emulator listening on http://127.0.0.1:PORT}. Options:
     * <pre>
     * --port N                 0 (default) picks a free port
     * --api-key KEY            else env BES_EMULATOR_API_KEY; one of them is required
     * --admin                  serve /_emulator/... (counters, faults, behaviours)
     * --max-concurrent-jobs N  per service (default 40)
     * --job-duration D         least Running time: 500ms, 2s, 1m or ISO-8601 PT2S (default 0)
     * --column NAME --bits N --ngrams N   hashing settings (Col2, 3, 2)
     * --workspace ID --service ID         restrict the ids served (repeatable)
     * --required-global NAME   a global parameter submits must carry (repeatable)
     * --max-concurrent-requests N          RRS concurrency (default 20)
     * --result-sas-validity D  (default 24h)
     * </pre>
     * Env {@code BES_EMULATOR_SUBSCRIPTION_KEY} requires an {@code Ocp-Apim-Subscription-Key};
     * env {@code BES_EMULATOR_DEFAULT_STORAGE} (a connection string) receives outputs of SAS
     * inputs without an override. Exit code 2 for bad options. Keys are never printed.
     */
    public static void main(String[] args) {
        // Logs go to stderr so that stdout carries only the ready line a parent process parses.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/besworker/emulator/emulator-logback.xml");
        }
        EmulatorSettings settings;
        try {
            settings = parseArgs(args, System.getenv());
        }
        catch (IllegalArgumentException ex) {
            System.err.println("bes-emulator: " + ex.getMessage());
            System.err.println("usage: bes-emulator [--port N] [--api-key KEY] [--admin] [--max-concurrent-jobs N]"
                    + " [--job-duration D] [--column NAME] [--bits N] [--ngrams N] [--workspace ID]... [--service ID]..."
                    + " [--required-global NAME]... [--max-concurrent-requests N] [--result-sas-validity D]");
            System.exit(2);
            return;
        }
        BesEmulator emulator;
        try {
            emulator = start(settings);
        }
        catch (UncheckedIOException ex) {
            System.err.println("bes-emulator: " + ex.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "bes-emulator-shutdown"));
        PrintStream out = System.out;
        out.println("BES emulator listening on " + emulator.baseUri());
        out.flush();
        try {
            new CountDownLatch(1).await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    static EmulatorSettings parseArgs(String[] args, Map<String, String> env) {
        EmulatorSettings settings = EmulatorSettings.defaults();
        String apiKey = null;
        Set<String> workspaces = new LinkedHashSet<>();
        Set<String> services = new LinkedHashSet<>();
        Set<String> globals = new LinkedHashSet<>();
        String column = settings.hashColumn();
        int bits = settings.bits();
        int ngrams = settings.ngrams();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--admin")) {
                settings = settings.withAdmin(value == null || Boolean.parseBoolean(value));
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--port" -> settings = settings.withPort(integer(name, value));
                case "--api-key" -> apiKey = value;
                case "--max-concurrent-jobs" -> settings = settings.withMaxConcurrentJobs(integer(name, value));
                case "--job-duration" -> settings = settings.withJobDuration(duration(name, value));
                case "--column" -> column = value;
                case "--bits" -> bits = integer(name, value);
                case "--ngrams" -> ngrams = integer(name, value);
                case "--workspace" -> workspaces.add(value);
                case "--service" -> services.add(value);
                case "--required-global" -> globals.add(value);
                case "--max-concurrent-requests" -> settings = settings.withMaxConcurrentRequests(integer(name, value));
                case "--result-sas-validity" -> settings = settings.withResultSasValidity(duration(name, value));
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (apiKey == null) {
            apiKey = env.get("BES_EMULATOR_API_KEY");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("no API key: pass --api-key KEY or set BES_EMULATOR_API_KEY");
        }
        return settings.withApiKey(apiKey)
                .withHashing(column, bits, ngrams)
                .withWorkspaces(workspaces)
                .withServices(services)
                .withRequiredGlobalParameters(globals)
                .withSubscriptionKey(env.get("BES_EMULATOR_SUBSCRIPTION_KEY"))
                .withDefaultStorageConnectionString(env.get("BES_EMULATOR_DEFAULT_STORAGE"));
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 3m}, {@code 1h}, a bare number of milliseconds, or ISO-8601. */
    static Duration duration(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.ofMillis(Long.parseLong(v));
        }
        catch (NumberFormatException | DateTimeParseException ex) {
            throw new IllegalArgumentException(name + " must be a duration like 500ms, 2s, 1m or PT2S, was '" + value + "'");
        }
    }
}
