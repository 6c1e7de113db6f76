package dev.besworker.serve;

import java.io.IOException;
import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import dev.besworker.WorkerProperties;
import dev.besworker.definition.NotifySettings;
import dev.besworker.intake.InboxIntake;
import dev.besworker.intake.InboxProcessor;
import dev.besworker.notify.WebhookNotifier;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.pipeline.ScoringRuns;

/**
 * The beans only {@code serve} has, on top of the worker's application: Spring Integration for
 * the inbox flows, the run queue, schedules, retention, webhooks, health and metrics.
 */
@Configuration(proxyBeanMethods = false)
@EnableIntegration
public class ServeConfiguration {

    @Bean
    Clock serveClock() {
        return Clock.systemUTC();
    }

    /** Polls the inboxes (Spring Integration uses the bean of this name) and fires the schedules. */
    @Bean
    ThreadPoolTaskScheduler taskScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(4);
        scheduler.setThreadNamePrefix("serve-");
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        return scheduler;
    }

    @Bean
    ServeDefinitions serveDefinitions(WorkerProperties properties) {
        return ServeDefinitions.load(properties.jobsDir());
    }

    @Bean
    WebhookNotifier webhookNotifier(WorkerProperties properties) {
        NotifySettings global = properties.webhook() == null ? null
                : new NotifySettings(properties.webhook(), properties.webhookOnSuccess());
        return new WebhookNotifier(global, properties.healthTimeout().multipliedBy(2));
    }

    @Bean
    InboxIntake inboxIntake(IntegrationFlowContext flows, WorkerProperties properties, Clock serveClock) {
        return new InboxIntake(flows, properties.inboxPollInterval(), serveClock);
    }

    @Bean
    InboxProcessor inboxProcessor(ScoringRuns runs, RunIndex runIndex, JobRepository jobRepository,
            InboxIntake inboxIntake, Clock serveClock, @Value("${besworker.cli-command:bes-worker}") String cliCommand) {
        return new InboxProcessor(runs, runIndex, jobRepository, inboxIntake, serveClock, cliCommand);
    }

    @Bean
    ServeMetrics serveMetrics(MeterRegistry meterRegistry, ScoringEnvironment environment) {
        ServeMetrics metrics = new ServeMetrics(meterRegistry);
        metrics.bind(environment);
        return metrics;
    }

    @Bean
    Retention retention(JdbcTemplate jdbcTemplate, JobRepository jobRepository, ScoringEnvironment environment,
            Clock serveClock) {
        return new Retention(jdbcTemplate, jobRepository, environment, serveClock);
    }

    @Bean
    ScheduleState scheduleState(WorkerProperties properties) throws IOException {
        return new ScheduleState(ScheduleState.fileIn(properties.dataDir()));
    }

    @Bean
    ServeDaemon serveDaemon(ServeDefinitions serveDefinitions, WorkerProperties properties, InboxIntake inboxIntake,
            InboxProcessor inboxProcessor, WebhookNotifier webhookNotifier, ServeMetrics serveMetrics,
            Retention retention, ScheduleState scheduleState, TaskScheduler taskScheduler,
            ExecutionOwners executionOwners, Clock serveClock) {
        return new ServeDaemon(serveDefinitions, properties, inboxIntake, inboxProcessor, webhookNotifier, serveMetrics,
                retention, scheduleState, taskScheduler, executionOwners, serveClock);
    }

    // Health contributors: the bean name less "HealthIndicator"/"HealthContributor" is the name in /actuator/health.

    @Bean
    HealthIndicator jobRepositoryHealthIndicator(JdbcTemplate jdbcTemplate) {
        return ServeHealth.jobRepository(jdbcTemplate);
    }

    @Bean
    HealthContributor storageHealthContributor(ServeDefinitions serveDefinitions, ScoringEnvironment environment,
            WorkerProperties properties) {
        return ServeHealth.storage(serveDefinitions.names(), environment, properties.healthTimeout());
    }

    @Bean
    HealthContributor besHealthContributor(ServeDefinitions serveDefinitions, ScoringEnvironment environment,
            WorkerProperties properties) {
        return ServeHealth.bes(serveDefinitions.names(), environment, properties.healthTimeout());
    }
}
