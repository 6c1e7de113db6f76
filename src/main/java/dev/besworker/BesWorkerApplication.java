package dev.besworker;

import java.nio.file.Path;

import picocli.CommandLine;

import dev.besworker.cli.BesWorkerCommand;

/**
 * The {@code bes-worker} command line. Global options that decide where logs go are read
 * before anything logs; then picocli dispatches to the commands of {@link BesWorkerCommand},
 * plus {@code emulator}, which is added here so that no worker package depends on the emulator.
 */
public final class BesWorkerApplication {

    private BesWorkerApplication() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this in-process). */
    public static int execute(String... args) {
        prepareLogging(args);
        CommandLine commandLine = new CommandLine(new BesWorkerCommand());
        commandLine.addSubcommand("emulator", new EmulatorCommand());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine.execute(args);
    }

    private static void prepareLogging(String[] args) {
        String dataDir = "data";
        boolean emulator = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data-dir") && i + 1 < args.length) {
                dataDir = args[i + 1];
            }
            else if (args[i].startsWith("--data-dir=")) {
                dataDir = args[i].substring("--data-dir=".length());
            }
            else if (!args[i].startsWith("-")) {
                emulator = args[i].equals("emulator");
                break;
            }
        }
        System.setProperty("besworker.data-dir", Path.of(dataDir).toAbsolutePath().normalize().toString());
        System.setProperty("besworker.log-name", emulator ? "emulator" : "bes-worker");
        // The Azure SDK sets Content-Length on uploads; the JDK client refuses it unless allowed.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "content-length");
        // The JDK client reads responses in 16 KiB pieces by default, which holds result downloads
        // to about half of what the connection gives; 256 KiB pieces come close (read once, at the
        // client's first use, so it is set here, before any).
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));
        }
    }
}
