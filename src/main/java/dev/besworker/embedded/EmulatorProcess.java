package dev.besworker.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.besworker.secrets.Secret;

/**
 * The BES emulator as a child process of this one: the same jar's {@code emulator} command, on
 * a free port, with a fresh API key handed over in the environment (never on the command line,
 * where {@code ps} would show it). The child watches this process and exits when it dies, so a
 * killed worker leaves no emulator behind.
 */
public final class EmulatorProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("BES emulator listening on (http://\\S+)");

    private final Process process;
    private final String baseUrl;

    private EmulatorProcess(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** Starts the emulator and waits until it listens; its log goes to {@code logFile}. */
    public static EmulatorProcess start(Secret apiKey, Path logFile, List<String> extraArguments) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("emulator", "--port", "0", "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        command.addAll(extraArguments);
        Files.createDirectories(logFile.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("BES_EMULATOR_API_KEY", apiKey.reveal());
        Process process = builder.start();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> awaitReady(process));
        try {
            return new EmulatorProcess(process, ready.get(60, TimeUnit.SECONDS));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting the BES emulator", ex);
        }
        catch (ExecutionException | TimeoutException ex) {
            process.destroyForcibly();
            throw new IOException("the BES emulator did not start; see " + logFile, ex);
        }
    }

    private static String awaitReady(Process process) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher matcher = READY.matcher(line);
                if (matcher.find()) {
                    String url = matcher.group(1);
                    Thread drain = new Thread(() -> drain(reader), "emulator-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return url;
                }
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        throw new IllegalStateException("the BES emulator exited before it was ready");
    }

    private static void drain(BufferedReader reader) {
        try {
            while (reader.readLine() != null) {
                // the child's stdout carries nothing after the ready line; keep its pipe from filling
            }
        }
        catch (IOException ignored) {
            // the child ended
        }
    }

    /** The command that runs this same application: {@code java -jar the.jar} or {@code java -cp ... Main}. */
    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        if (classPath != null && classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
            command.addAll(List.of("-jar", classPath));
        }
        else {
            command.addAll(List.of("-cp", classPath, "dev.besworker.BesWorkerApplication"));
        }
        return command;
    }

    /** The emulator's base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
