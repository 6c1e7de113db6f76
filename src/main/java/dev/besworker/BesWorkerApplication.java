package dev.besworker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;

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
        Invocation invocation = Invocation.of(args);
        prepareLogging(invocation);
        return commandLine(invocation).execute(args);
    }

    /**
     * The command line {@link #execute} runs for these arguments, for tests that read what
     * picocli prints.
     */
    public static CommandLine commandLine(String... args) {
        return commandLine(Invocation.of(args));
    }

    /**
     * The command line with every command when picocli may have to list them (help, no command, a
     * misspelled one and its suggestions, an error in the global options) and otherwise with only
     * the command asked for: picocli reads the annotations of each command it is given, with the
     * classes they name, before it parses anything: about 0.1 s of CPU of a one-shot command's start
     * for the twelve it does not run (async-profiler, on the main thread).
     */
    private static CommandLine commandLine(Invocation invocation) {
        // picocli looks for Groovy's Closure class once (for closures in annotations, which this
        // tool has none of); not finding it, the class loader opened every jar on the class path,
        // about 40 ms of the main thread's start (async-profiler). picocli's own switch skips it.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
        List<Class<?>> commands = new ArrayList<>(BesWorkerCommand.COMMANDS);
        commands.add(EmulatorCommand.class);
        Class<?> asked = invocation.onlyFolders() ? named(commands, invocation.command()) : null;
        CommandLine commandLine = new CommandLine(new BesWorkerCommand());
        for (Class<?> command : commands) {
            if (asked == null || command == asked) {
                commandLine.addSubcommand(command);
            }
        }
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /** The command of this name, read from its annotation alone (no picocli model), or null. */
    private static Class<?> named(List<Class<?>> commands, String name) {
        for (Class<?> command : commands) {
            if (command.getAnnotation(Command.class).name().equals(name)) {
                return command;
            }
        }
        return null;
    }

    private static void prepareLogging(Invocation invocation) {
        System.setProperty("besworker.data-dir",
                Path.of(invocation.dataDir()).toAbsolutePath().normalize().toString());
        System.setProperty("besworker.log-name", "emulator".equals(invocation.command()) ? "emulator" : "bes-worker");
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
