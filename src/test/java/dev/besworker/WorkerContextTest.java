package dev.besworker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

import org.springframework.batch.core.repository.JobRepository;

import ch.qos.logback.classic.LoggerContext;

import dev.besworker.serve.ServeConfiguration;

class WorkerContextTest {

    /** Auto-configurations that only serve uses: a one-shot command's start-up is quicker without them. */
    private static final List<Class<?>> SERVE_ONLY = List.of(WebMvcAutoConfiguration.class,
            HealthEndpointAutoConfiguration.class, MetricsAutoConfiguration.class, JacksonAutoConfiguration.class,
            TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class,
            ValidationAutoConfiguration.class, AopAutoConfiguration.class);

    @TempDir
    Path dir;

    @Test
    void aOneShotCommandsContext_hasTheJobRepository_butNoneOfServesAutoConfigurations() throws Exception {
        // given
        Path jobs = Files.createDirectories(dir.resolve("jobs"));

        // when
        try (ConfigurableApplicationContext context = WorkerContext.command(dir.resolve("data"), jobs)) {

            // then
            assertThat(context.getBean(JobRepository.class)).isNotNull();
            assertThat(context.containsBeanDefinition(DataSourceAutoConfiguration.class.getName())).isTrue();
            assertThat(SERVE_ONLY).allSatisfy(type -> assertThat(context.containsBeanDefinition(type.getName()))
                    .as(type.getSimpleName()).isFalse());
        }
    }

    @Test
    void aOneShotCommand_saysWhenLoggingIsConfigured_beforeItBuildsTheContext() throws Exception {
        // given: logging not yet configured by Spring Boot (as at a command's start)
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        LoggingSystem.get(getClass().getClassLoader()).cleanUp();
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<Boolean> configuredWhenTold = new ArrayList<>();

        // when
        try (ConfigurableApplicationContext context = WorkerContext.command(dir.resolve("data"), jobs,
                () -> configuredWhenTold.add(logback.getObject(LoggingSystem.class.getName()) != null))) {

            // then: told once, after Boot configured Logback (what other threads log from then on is kept)
            assertThat(configuredWhenTold).containsExactly(true);
        }
    }

    @Test
    void servesContext_hasTheWebServerActuatorAndTheOtherAutoConfigurations() throws Exception {
        // given
        Path jobs = Files.createDirectories(dir.resolve("jobs"));

        // when
        try (ConfigurableApplicationContext context = WorkerContext.serve(dir.resolve("data"), jobs, Map.of(),
                List.of("--spring.main.web-application-type=servlet", "--server.port=0", "--server.address=127.0.0.1"),
                ServeConfiguration.class)) {

            // then
            assertThat(context.getBean(JobRepository.class)).isNotNull();
            assertThat(SERVE_ONLY).allSatisfy(type -> assertThat(context.containsBeanDefinition(type.getName()))
                    .as(type.getSimpleName()).isTrue());
        }
    }
}
