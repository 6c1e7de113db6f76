package dev.besworker.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.besworker.serve.Serve;

/** A serve without users: it runs (inboxes, health), and the console and API let nobody in. */
class ConsoleWithoutUsersTest extends ConsoleTestSupport {

    @BeforeAll
    static void start() throws IOException {
        startServe(Map.of());
    }

    @Test
    void withoutUsers_nobodyGetsIn_butHealthAnswers() {
        assertThat(get("/api/executions", null, null).statusCode()).isEqualTo(401);
        assertThat(get("/api/executions", "admin", "admin").statusCode()).isEqualTo(401);
        assertThat(get("/api/executions", "user", "password").statusCode()).isEqualTo(401);
        assertThat(get("/actuator/health", null, null).statusCode()).isEqualTo(200);
        assertThat(get("/runs", null, null).statusCode()).isEqualTo(302);
        assertThat(get("/login", null, null).body()).contains("No users are configured");
    }

    @Test
    void aPasswordNotInEncodedForm_stopsServe_withoutRepeatingIt(@org.junit.jupiter.api.io.TempDir Path other)
            throws IOException {
        // given a user whose password was written in plain text
        Path data = Files.createDirectories(other.resolve("data"));
        Serve.Options options = new Serve.Options(fixture.jobsDir, data, 0, "bes-worker",
                Map.of("besworker.console.users.bob.password", "plain-secret-123",
                        "besworker.console.users.bob.roles", "VIEWER"));

        // when / then: serve does not start, and says which setting and how to fix it, without the value
        assertThatThrownBy(() -> Serve.start(options).shutdown())
                .satisfies(ex -> {
                    StringBuilder all = new StringBuilder();
                    for (Throwable t = ex; t != null; t = t.getCause()) {
                        all.append(t.getMessage()).append('\n');
                    }
                    assertThat(all.toString()).contains("besworker.console.users.bob.password")
                            .contains("hash-password").doesNotContain("plain-secret-123");
                });
    }
}
