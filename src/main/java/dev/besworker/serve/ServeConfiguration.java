package dev.besworker.serve;

import java.time.Clock;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.jdbc.metadata.JdbcMetadataStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import dev.besworker.WorkerProperties;
import dev.besworker.cluster.ClusterConfiguration;
import dev.besworker.cluster.ClusterProperties;
import dev.besworker.cluster.WorkerLease;
import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.NotifySettings;
import dev.besworker.intake.InboxClaims;
import dev.besworker.intake.InboxIntake;
import dev.besworker.intake.InboxProcessor;
import dev.besworker.intake.WorkerLiveness;
import dev.besworker.notify.WebhookNotifier;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.runs.ScoringRuns;

/**
 * The beans only {@code serve} has, on top of the worker's application: Spring Integration for
 * the inbox flows, the run queue, schedules, retention, webhooks, health and metrics.
 */
@Configuration(proxyBeanMethods = false)
@EnableIntegration
@EnableConfigurationProperties(ServeClusterProperties.class)
public class ServeConfiguration {

    /** The worker's clock (shifted by cluster's test-only offset, which shows that skew changes nothing). */
    @Bean
    Clock serveClock(ClusterProperties clusterProperties) {
        return ClusterConfiguration.clock(clusterProperties);
    }

    /** Polls the inboxes (Spring Integration uses the bean of this name) and fires the schedules. */
    @Bean
    ThreadPoolTaskScheduler taskScheduler(Clock serveClock) {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setClock(serveClock);
        scheduler.setPoolSize(4);
        scheduler.setThreadNamePrefix("serve-");
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        return scheduler;
    }

    @Bean
    ServeDefinitions serveDefinitions(WorkerProperties properties, DefinitionLoader definitionLoader) {
        return ServeDefinitions.load(definitionLoader, properties.jobsDir());
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

    /**
     * This worker among the workers of its repository: its lease, taken at start-up (serve is a
     * worker from its first moment, listed by {@code workers}, and claims inbox files under its
     * instance id); another worker is alive while its lease is current by the database's clock.
     */
    @Bean
    WorkerLiveness workerLiveness(WorkerLease workerLease) {
        workerLease.join("serve");
        String self = workerLease.identity().instanceId();
        return new WorkerLiveness() {
            @Override
            public String self() {
                return self;
            }

            @Override
            public boolean isLive(String instanceId) {
                return self.equals(instanceId) || workerLease.isCurrent(instanceId);
            }
        };
    }

    /**
     * Claims of inbox files: Spring Integration's JDBC metadata store on the job repository,
     * created here rather than as a bean so that each of its statements commits by itself (no
     * transactional proxy around it), and a claim is visible to the other workers at once.
     */
    @Bean
    InboxClaims inboxClaims(DataSource dataSource, WorkerLiveness workerLiveness, Clock serveClock) {
        JdbcMetadataStore store = new JdbcMetadataStore(dataSource);
        store.setTablePrefix("BES_WORKER_");
        store.setRegion("INBOX_CLAIM");
        store.afterPropertiesSet();
        return new InboxClaims(store, workerLiveness, serveClock);
    }

    @Bean
    ClusterSlots clusterSlots(JdbcTemplate jdbcTemplate, WorkerLiveness workerLiveness, Clock serveClock) {
        return new ClusterSlots(jdbcTemplate, workerLiveness, serveClock);
    }

    @Bean
    ServeCluster serveCluster(InboxClaims inboxClaims, ClusterSlots clusterSlots, ExecutionOwners executionOwners,
            ServeClusterProperties serveClusterProperties) {
        return new ServeCluster(inboxClaims, clusterSlots, executionOwners::orphans,
                serveClusterProperties.scanInterval());
    }

    @Bean
    InboxProcessor inboxProcessor(ScoringRuns runs, RunIndex runIndex, JobRepository jobRepository,
            InboxIntake inboxIntake, InboxClaims inboxClaims, Clock serveClock,
            @Value("${besworker.cli-command:bes-worker}") String cliCommand) {
        return new InboxProcessor(runs, runIndex, jobRepository, inboxIntake, inboxClaims, serveClock, cliCommand);
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

    /** Schedule firings in the repository; a single worker's earlier file of them is taken over once. */
    @Bean
    ScheduleState scheduleState(JdbcTemplate jdbcTemplate, WorkerLiveness workerLiveness, WorkerProperties properties) {
        ScheduleState state = new ScheduleState(jdbcTemplate, workerLiveness.self());
        state.importFile(ScheduleState.fileIn(properties.dataDir()));
        return state;
    }

    @Bean
    ServeDaemon serveDaemon(ServeDefinitions serveDefinitions, WorkerProperties properties, InboxIntake inboxIntake,
            InboxProcessor inboxProcessor, WebhookNotifier webhookNotifier, ServeMetrics serveMetrics,
            Retention retention, ScheduleState scheduleState, TaskScheduler taskScheduler,
            ExecutionOwners executionOwners, ServeCluster serveCluster, ScoringRuns runs, JobRepository jobRepository,
            Clock serveClock) {
        return new ServeDaemon(serveDefinitions, properties, inboxIntake, inboxProcessor, webhookNotifier, serveMetrics,
                retention, scheduleState, taskScheduler, executionOwners, serveCluster, runs, jobRepository,
                serveClock);
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
