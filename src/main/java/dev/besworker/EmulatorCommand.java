package dev.besworker;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;

/** {@code emulator}: the BES emulator on its own, until stopped. */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = "Runs the BES emulator (same REST API as Azure ML Studio classic BES, Feature Hashing model).")
class EmulatorCommand implements Callable<Integer> {

    @Option(names = "--port", description = "Port to listen on (0 picks a free one; default ${DEFAULT-VALUE}).",
            defaultValue = "8090")
    int port;

    @Option(names = "--api-key", description = "API key clients must send as Bearer (default: $BES_EMULATOR_API_KEY, "
            + "else 'emulator-key').")
    String apiKey;

    @Option(names = "--admin", description = "Serve the fault-injection and counters API under /_emulator.")
    boolean admin;

    @Option(names = "--job-duration", description = "Minimum time each job takes, e.g. 10s, 10m or PT10S "
            + "(default: as fast as it can).")
    String jobDuration;

    @Option(names = "--parent-pid", hidden = true, description = "Exit when this process ends.")
    Long parentPid;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv().getOrDefault("BES_EMULATOR_API_KEY", "emulator-key");
        EmulatorSettings settings = EmulatorSettings.defaults().withPort(port).withApiKey(key).withAdmin(admin);
        if (jobDuration != null) {
            settings = settings.withJobDuration(dev.besworker.definition.Units.duration(jobDuration));
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
}
