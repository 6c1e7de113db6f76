package dev.besworker.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.web.SecurityFilterChain;

import dev.besworker.BesWorkerApplication;
import dev.besworker.WorkerApplication;

/** Who can get in without a running serve: the one-shot commands have no console, and hash-password's output logs in. */
class ConsoleAccessTest {

    @Test
    void oneShotCommands_startWithoutTheConsoleOrItsSecurity(@TempDir Path dataDir) {
        // given a one-shot command's context (no web server, not serve)
        SpringApplicationBuilder worker = new SpringApplicationBuilder(WorkerApplication.class)
                .web(WebApplicationType.NONE).properties("besworker.data-dir=" + dataDir);

        // when
        try (ConfigurableApplicationContext context = worker.run()) {
            // then: no filter chain, no users (and so no generated password), no console beans
            assertThat(context.getBeanNamesForType(SecurityFilterChain.class)).isEmpty();
            assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
            assertThat(context.getBeanNamesForType(ConsoleActions.class)).isEmpty();
        }
    }

    @Test
    void hashPassword_printsABcryptHashThatMatchesThePasswordReadFromStdin() {
        // given a password on stdin (not a terminal)
        InputStream stdin = System.in;
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream("correct horse battery\n".getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            // when
            exit = BesWorkerApplication.execute("hash-password");
        }
        finally {
            System.setIn(stdin);
            System.setOut(stdout);
        }

        // then: one line in the encoded form the users setting takes, matching only that password
        String hash = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(exit).isZero();
        assertThat(hash).startsWith("{bcrypt}$2").doesNotContain("horse");
        assertThat(PasswordEncoderFactories.createDelegatingPasswordEncoder().matches("correct horse battery", hash))
                .isTrue();
        assertThat(PasswordEncoderFactories.createDelegatingPasswordEncoder().matches("correct horse", hash)).isFalse();
    }

    @Test
    void hashPassword_refusesAnEmptyPassword() {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(new byte[0]));
        try {
            assertThat(BesWorkerApplication.execute("hash-password")).isEqualTo(2);
        }
        finally {
            System.setIn(stdin);
        }
    }
}
