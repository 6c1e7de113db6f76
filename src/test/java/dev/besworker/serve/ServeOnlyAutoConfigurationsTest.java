package dev.besworker.serve;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import dev.besworker.WorkerApplication;
import dev.besworker.staging.TransferProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServeOnlyAutoConfigurationsTest {

    private static final String[] CANDIDATES = {
            "org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            "org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration",
            "org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration" };

    @Test
    void oneShotCommands_getTheRepositoryButNotWhatOnlyServeUses() {
        // given
        ServeOnlyAutoConfigurations filter = new ServeOnlyAutoConfigurations();
        filter.setEnvironment(new MockEnvironment());

        // when
        boolean[] matches = filter.match(CANDIDATES, null);

        // then
        assertThat(matches).containsExactly(true, true, false, false, false, false);
    }

    @Test
    void serve_getsEverything() {
        // given
        ServeOnlyAutoConfigurations filter = new ServeOnlyAutoConfigurations();
        filter.setEnvironment(new MockEnvironment().withProperty(ServeOnlyAutoConfigurations.SERVE_PROPERTY, "serve"));

        // when
        boolean[] matches = filter.match(CANDIDATES, null);

        // then
        assertThat(matches).containsOnly(true);
    }

    @Test
    void oneShotCommands_stillRejectInvalidWorkerSettings_withoutTheValidationAutoConfiguration(@TempDir Path dataDir) {
        // given: a setting out of its range (concurrency is 1..64)
        SpringApplicationBuilder worker = new SpringApplicationBuilder(WorkerApplication.class)
                .web(WebApplicationType.NONE)
                .properties("besworker.data-dir=" + dataDir, "besworker.transfer.concurrency=0");

        // when / then: the start fails and names the setting
        assertThatThrownBy(() -> worker.run().close())
                .rootCause()
                .hasMessageContaining("besworker.transfer")
                .hasMessageContaining("concurrency");
    }

    @Test
    void oneShotCommands_bindValidWorkerSettings(@TempDir Path dataDir) {
        // given
        SpringApplicationBuilder worker = new SpringApplicationBuilder(WorkerApplication.class)
                .web(WebApplicationType.NONE)
                .properties("besworker.data-dir=" + dataDir, "besworker.transfer.concurrency=2");

        // when
        try (ConfigurableApplicationContext context = worker.run()) {
            // then
            assertThat(context.getBean(TransferProperties.class).concurrency()).isEqualTo(2);
            assertThat(context.containsBean("applicationTaskExecutor")).as("serve-only auto-configuration").isFalse();
        }
    }
}
