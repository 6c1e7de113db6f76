package dev.besworker.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.besworker.WorkerContext;
import dev.besworker.WorkerProperties;
import dev.besworker.embedded.EmbeddedServices;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.pipeline.LocalServices;
import dev.besworker.pipeline.ScoringEnvironment;

/**
 * A running {@code serve}: the data folder's lock, the worker's Spring context with the serve
 * beans and (unless disabled) the actuator over HTTP, the embedded services when a definition
 * asks for them, and the {@link ServeDaemon}. {@link #shutdown()} stops it in order and releases
 * everything; the command line calls it on SIGTERM, tests call it directly.
 */
public final class Serve implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Serve.class);

    /**
     * How to start.
     *
     * @param jobsDir the definitions
     * @param dataDir the data folder (one serve per folder)
     * @param httpPort the actuator's port: null for {@code server.port} (default 8080), 0 for any
     *     free port, negative for no HTTP at all
     * @param cliCommand how reports name the command line, e.g. {@code bes-worker --data-dir /srv/data}
     * @param properties further Spring properties, over the application's configuration
     */
    public record Options(Path jobsDir, Path dataDir, Integer httpPort, String cliCommand,
            Map<String, String> properties) {

        public Options {
            jobsDir = jobsDir.toAbsolutePath().normalize();
            dataDir = dataDir.toAbsolutePath().normalize();
            properties = properties == null ? Map.of() : Map.copyOf(properties);
        }
    }

    private final ServeLock lock;
    private final ConfigurableApplicationContext context;
    private final EmbeddedServices embedded;
    private final ServeDaemon daemon;
    private final Duration stopTimeout;
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean clean = true;

    private Serve(ServeLock lock, ConfigurableApplicationContext context, EmbeddedServices embedded) {
        this.lock = lock;
        this.context = context;
        this.embedded = embedded;
        this.daemon = context.getBean(ServeDaemon.class);
        this.stopTimeout = context.getBean(WorkerProperties.class).stopTimeout();
    }

    /**
     * Takes the data folder, starts the context and the daemon.
     *
     * @throws ServeLock.HeldException when another serve holds the data folder
     */
    public static Serve start(Options options) throws IOException {
        ServeLock lock = ServeLock.acquire(options.dataDir());
        ConfigurableApplicationContext context = null;
        EmbeddedServices embedded = null;
        try {
            context = context(options);
            ServeDefinitions definitions = context.getBean(ServeDefinitions.class);
            if (definitions.anyEmbedded()) {
                embedded = EmbeddedServices.start(options.dataDir());
                context.getBean(ScoringEnvironment.class).useLocalServices(new LocalServices(embedded.besEndpoint(),
                        embedded.apiKey(), embedded.connectionString()));
            }
            Serve serve = new Serve(lock, context, embedded);
            serve.daemon.start();
            int port = serve.httpPort();
            log.info("serve: ready for data folder {}{}", options.dataDir(),
                    port > 0 ? "; health at http://127.0.0.1:" + port + "/actuator/health" : "");
            return serve;
        }
        catch (IOException | RuntimeException | Error ex) {
            if (embedded != null) {
                embedded.close();
            }
            if (context != null) {
                context.getBean(ExecutionOwners.class).close();
                context.close();
            }
            lock.close();
            throw ex;
        }
    }

    private static ConfigurableApplicationContext context(Options options) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("server.address", "127.0.0.1");
        defaults.put("server.port", "8080");
        // The console and the endpoints serve a few operators and a metrics scraper, not a web
        // application's crowd: Boot's 200 threads at most and 10 idle are memory the runs need.
        defaults.put("server.tomcat.threads.max", "16");
        defaults.put("server.tomcat.threads.min-spare", "1");
        defaults.put("management.endpoints.web.exposure.include", "health,metrics,info");
        defaults.put("management.endpoint.health.show-details", "always");
        defaults.put("management.endpoint.health.show-components", "always");
        defaults.put("management.endpoint.health.probes.enabled", "true");
        // Tomcat announces every start and stop at INFO; the worker's own lines say what matters.
        defaults.put("logging.level.org.apache", "WARN");
        return WorkerContext.serve(options.dataDir(), options.jobsDir(), defaults, arguments(options),
                ServeConfiguration.class);
    }

    private static List<String> arguments(Options options) {
        List<String> args = new ArrayList<>();
        boolean http = options.httpPort() == null || options.httpPort() >= 0;
        args.add("--spring.main.web-application-type=" + (http ? "servlet" : "none"));
        if (options.httpPort() != null && options.httpPort() >= 0) {
            args.add("--server.port=" + options.httpPort());
        }
        if (options.cliCommand() != null) {
            args.add("--besworker.cli-command=" + options.cliCommand());
        }
        options.properties().forEach((key, value) -> args.add("--" + key + "=" + value));
        return args;
    }

    /** The actuator's HTTP port, or -1 without HTTP. */
    public int httpPort() {
        return context instanceof WebServerApplicationContext web && web.getWebServer() != null
                ? web.getWebServer().getPort() : -1;
    }

    /** A bean of the serve's context. */
    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** The daemon. */
    public ServeDaemon daemon() {
        return daemon;
    }

    /**
     * Stops taking files, stops running executions (STOPPED, restartable), and releases the
     * context, the embedded services and the data folder. Safe to call more than once.
     *
     * @return true if everything running had stopped in time
     */
    public boolean shutdown() {
        if (!shutdown.compareAndSet(false, true)) {
            awaitShutdown();
            return clean;
        }
        try {
            clean = daemon.shutdown(stopTimeout);
            if (embedded != null) {
                embedded.close();
            }
            context.getBean(ExecutionOwners.class).close();
            context.close();
            lock.close();
            log.info("serve: stopped");
        }
        catch (IOException | RuntimeException ex) {
            clean = false;
            log.warn("serve: while stopping: {}", ex.toString());
        }
        finally {
            stopped.countDown();
        }
        return clean;
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitShutdown() {
        try {
            stopped.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
    }
}
