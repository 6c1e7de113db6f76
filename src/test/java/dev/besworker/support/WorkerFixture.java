package dev.besworker.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.besworker.WorkerApplication;
import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;

/**
 * Real parts for end-to-end tests: Azurite (in memory), the BES emulator over HTTP with its
 * admin API, a jobs folder, a data folder, and on demand the worker's Spring context on an H2
 * file there.
 */
public final class WorkerFixture implements AutoCloseable {

    public static final String API_KEY = "test-api-key-0123456789abcdef";
    public static final String WORKSPACE = "0123456789abcdef0123456789abcdef";
    public static final String SERVICE = "fedcba9876543210fedcba9876543210";

    public final Path root;
    public final Path jobsDir;
    public final Path dataDir;
    public final Path inputDir;
    public final Path outputDir;
    public final AzuriteProcess azurite;
    public final BesEmulator emulator;
    public final EmulatorAdmin admin;
    private ConfigurableApplicationContext context;

    public WorkerFixture() throws IOException {
        root = Files.createTempDirectory("bes-worker-test");
        jobsDir = Files.createDirectories(root.resolve("jobs"));
        dataDir = Files.createDirectories(root.resolve("data"));
        inputDir = Files.createDirectories(root.resolve("in"));
        outputDir = root.resolve("out");
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(API_KEY).withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
    }

    /**
     * Writes {@code jobs/<name>.yml} for the emulator and Azurite, with quick polling; {@code extra}
     * lines are appended (YAML at top level, e.g. "poll: {...}" overrides), except that
     * "bes.KEY: ..." and "storage.KEY: ..." lines go into those sections, replacing KEY.
     */
    public void definition(String name, String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "bes:",
                "  endpoint: " + emulator.baseUri(),
                "  workspace: " + WORKSPACE,
                "  service: " + SERVICE,
                "  api-key: " + API_KEY,
                "  retry: {max-attempts: 4, initial-backoff: 50ms, max-backoff: 200ms, budget: 5s}",
                "  request-timeout: 10s",
                "input:",
                "  name: input1",
                "  required-columns: [Col2]",
                "outputs: [output1]",
                "storage:",
                "  connection-string: \"" + azurite.connectionString() + "\"",
                "  container: bes-staging",
                "output-dir: " + outputDir));
        boolean overridesPoll = false;
        for (String line : extra) {
            overridesPoll |= line.startsWith("poll:");
            if (line.startsWith("bes.")) {
                String key = line.substring("bes.".length(), line.indexOf(':'));
                lines.removeIf(existing -> existing.startsWith("  " + key + ":"));
                lines.add(lines.indexOf("input:"), "  " + line.substring("bes.".length()));
            }
            else if (line.startsWith("storage.")) {
                lines.add(lines.indexOf("  container: bes-staging") + 1, "  " + line.substring("storage.".length()));
            }
            else {
                lines.add(line);
            }
        }
        if (!overridesPoll) {
            lines.add("poll: {initial-interval: 100ms, max-interval: 400ms, timeout: 2m}");
        }
        Files.write(jobsDir.resolve(name + ".yml"), lines, StandardCharsets.UTF_8);
    }

    /** A CSV input with a unique first row (so that each test's run has its own identity) and the given texts. */
    public Path input(String fileName, String... texts) throws IOException {
        StringBuilder csv = new StringBuilder("Id,Col2\r\n");
        csv.append("0,\"unique ").append(UUID.randomUUID()).append("\"\r\n");
        for (int i = 0; i < texts.length; i++) {
            csv.append(i + 1).append(",\"").append(texts[i].replace("\"", "\"\"")).append("\"\r\n");
        }
        Path file = inputDir.resolve(fileName);
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    /** The worker's Spring context, started on first use. */
    public synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            context = new SpringApplicationBuilder(WorkerApplication.class).web(WebApplicationType.NONE)
                    .registerShutdownHook(false)
                    .run("--besworker.data-dir=" + dataDir, "--besworker.jobs-dir=" + jobsDir,
                            "--besworker.heartbeat-interval=500ms", "--besworker.stop-timeout=10s",
                            // Small blocks, so that inputs of a few hundred KB take the block path.
                            "--besworker.transfer.block-size=64KB");
        }
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context().getBean(type);
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        }
        emulator.close();
        azurite.close();
    }
}
