package dev.besworker.support;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A job definition with an inbox against a test's emulator and Azurite, as the serve and the
 * cluster tests write them: one service, one input, one output, a container of its own.
 *
 * @param containerPrefix put before the definition's name (letters and digits) to name its container
 * @param poll the {@code poll:} section, e.g. {@code {initial-interval: 100ms, max-interval: 300ms, timeout: 2m}}
 */
public record InboxDefinition(URI besEndpoint, String apiKey, String connectionString, String containerPrefix,
        String poll) {

    /** Writes {@code jobs/NAME.yml}; {@code extra} (YAML at top level, or null) is appended. */
    public void write(Path jobsDir, String name, Path inbox, Path output, Duration settle, String extra)
            throws IOException {
        String yaml = """
                bes:
                  endpoint: %s
                  workspace: %s
                  service: %s
                  api-key: %s
                  retry: {max-attempts: 3, initial-backoff: 100ms, max-backoff: 1s, budget: 30s}
                input:
                  name: input1
                  required-columns: [Col2]
                outputs: [output1]
                storage:
                  connection-string: "%s"
                  container: %s%s
                  credentials-to-bes: connection-string
                poll: %s
                output-dir: %s
                inbox: {dir: %s, pattern: "*.csv", settle: %dms}
                """.formatted(besEndpoint, WorkerFixture.WORKSPACE, WorkerFixture.SERVICE, apiKey, connectionString,
                containerPrefix, name.toLowerCase().replaceAll("[^a-z0-9]", ""), poll, output, inbox,
                settle.toMillis()) + (extra == null ? "" : extra);
        Files.writeString(jobsDir.resolve(name + ".yml"), yaml, StandardCharsets.UTF_8);
    }
}
