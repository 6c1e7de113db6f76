package dev.besworker;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import dev.besworker.cli.DurationConverter;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;

/**
 * {@code emulator}: the BES emulator on its own, until stopped (or until the parent process
 * ends). Prints exactly one line to stdout when it listens, {@code BES emulator listening on
 * http://127.0.0.1:PORT}, which a parent process parses; logs go to stderr and the log file.
 * Keys are never printed. Bad options exit with 2 (picocli).
 */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = "Runs the BES emulator (same REST API as Azure ML Studio classic BES, Feature Hashing model).")
class EmulatorCommand implements Callable<Integer> {

    /** The key callers must send when neither --api-key nor $BES_EMULATOR_API_KEY gives one. */
    static final String DEFAULT_API_KEY = "emulator-key";

    @Option(names = "--port", description = "Port to listen on (0 picks a free one; default ${DEFAULT-VALUE}).",
            defaultValue = "8090")
    int port;

    @Option(names = "--api-key", description = "API key clients must send as Bearer (default: $BES_EMULATOR_API_KEY, "
            + "else '" + DEFAULT_API_KEY + "').")
    String apiKey;

    @Option(names = "--admin", description = "Serve the fault-injection and counters API under /_emulator.")
    boolean admin;

    @Option(names = "--job-duration", converter = DurationConverter.class,
            description = "Minimum time each job takes, e.g. 500ms, 10s, 10m or PT10S (default: as fast as it can).")
    Duration jobDuration;

    @Option(names = "--max-concurrent-jobs", description = "Jobs running at once per service; more wait FIFO "
            + "(default 40).")
    Integer maxConcurrentJobs;

    @Option(names = "--max-concurrent-requests", description = "RRS requests at once; more get 503 (default 20).")
    Integer maxConcurrentRequests;

    @Option(names = "--column", description = "The text column Feature Hashing reads (default Col2).")
    String column;

    @Option(names = "--bits", description = "Hashing bit size (default 3).")
    Integer bits;

    @Option(names = "--ngrams", description = "1 or 2 (default 2).")
    Integer ngrams;

    @Option(names = "--workspace", description = "Serve only this workspace id (repeatable; default: any).")
    Set<String> workspaces = new LinkedHashSet<>();

    @Option(names = "--service", description = "Serve only this service id (repeatable; default: any).")
    Set<String> services = new LinkedHashSet<>();

    @Option(names = "--required-global", description = "A global parameter every submit must carry (repeatable).")
    Set<String> requiredGlobals = new LinkedHashSet<>();

    @Option(names = "--result-sas-validity", converter = DurationConverter.class,
            description = "How long result SAS URLs stay valid (default 24h).")
    Duration resultSasValidity;

    @Option(names = "--parent-pid", hidden = true, description = "Exit when this process ends.")
    Long parentPid;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EmulatorSettings settings;
        try {
            settings = settings(System.getenv());
        }
        catch (IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        CountDownLatch done = new CountDownLatch(1);
        try (BesEmulator emulator = BesEmulator.start(settings)) {
            System.out.println("BES emulator listening on " + emulator.baseUri());
            System.out.flush();
            if (parentPid != null) {
                ProcessHandle.of(parentPid).ifPresentOrElse(parent -> parent.onExit().thenRun(done::countDown),
                        done::countDown);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
            done.await();
        }
        return 0;
    }

    /**
     * The settings the options give, over {@link EmulatorSettings#defaults()}. From the
     * environment: {@code BES_EMULATOR_API_KEY} (when no --api-key), {@code
     * BES_EMULATOR_SUBSCRIPTION_KEY} (then callers must send an {@code Ocp-Apim-Subscription-Key})
     * and {@code BES_EMULATOR_DEFAULT_STORAGE} (a connection string that receives outputs of SAS
     * inputs without an override).
     *
     * @throws IllegalArgumentException when a value is out of range (the message names it)
     */
    EmulatorSettings settings(Map<String, String> env) {
        EmulatorSettings defaults = EmulatorSettings.defaults();
        String key = apiKey != null ? apiKey : env.getOrDefault("BES_EMULATOR_API_KEY", DEFAULT_API_KEY);
        EmulatorSettings settings = defaults.withPort(port).withApiKey(key).withAdmin(admin)
                .withHashing(column != null ? column : defaults.hashColumn(), bits != null ? bits : defaults.bits(),
                        ngrams != null ? ngrams : defaults.ngrams())
                .withWorkspaces(workspaces)
                .withServices(services)
                .withRequiredGlobalParameters(requiredGlobals)
                .withSubscriptionKey(env.get("BES_EMULATOR_SUBSCRIPTION_KEY"))
                .withDefaultStorageConnectionString(env.get("BES_EMULATOR_DEFAULT_STORAGE"));
        if (jobDuration != null) {
            settings = settings.withJobDuration(jobDuration);
        }
        if (maxConcurrentJobs != null) {
            settings = settings.withMaxConcurrentJobs(maxConcurrentJobs);
        }
        if (maxConcurrentRequests != null) {
            settings = settings.withMaxConcurrentRequests(maxConcurrentRequests);
        }
        if (resultSasValidity != null) {
            settings = settings.withResultSasValidity(resultSasValidity);
        }
        return settings;
    }
}
