package dev.besworker.cluster;

import java.time.Clock;

import javax.sql.DataSource;

import org.springframework.boot.batch.jdbc.autoconfigure.BatchDataSourceScriptDatabaseInitializer;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.ApplicationDataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.WorkerProperties;

/** This worker's identity and lease, the restart locks, and the registry of workers. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ ClusterProperties.class, SqlInitializationProperties.class, BatchJdbcProperties.class })
public class ClusterConfiguration {

    /** Boot's schema initialization, one worker at a time (Boot's own backs off for it). */
    @Bean
    ApplicationDataSourceScriptDatabaseInitializer dataSourceScriptDatabaseInitializer(DataSource dataSource,
            SqlInitializationProperties properties) {
        return new LockedSchemaInitializer(dataSource, properties);
    }

    /** Spring Batch's schema, created when missing rather than attempted at every start. */
    @Bean
    BatchDataSourceScriptDatabaseInitializer batchDataSourceInitializer(DataSource dataSource,
            BatchJdbcProperties properties) {
        return new BatchSchemaInitializer(dataSource, properties);
    }

    @Bean
    WorkerIdentity workerIdentity(ClusterProperties cluster) {
        return WorkerIdentity.create(clock(cluster));
    }

    /** Checked at start, once the schema exists, and again when the worker takes its lease. */
    @Bean
    @DependsOnDatabaseInitialization
    H2OneMachine h2OneMachine(JdbcTemplate jdbcTemplate, WorkerIdentity workerIdentity) {
        H2OneMachine rule = new H2OneMachine(jdbcTemplate, workerIdentity);
        rule.check();
        return rule;
    }

    @Bean
    WorkerLease workerLease(JdbcTemplate jdbcTemplate, WorkerIdentity workerIdentity, ClusterProperties cluster,
            WorkerProperties properties, H2OneMachine h2OneMachine) {
        WorkerLease lease = new WorkerLease(jdbcTemplate, workerIdentity, cluster.lease(properties.heartbeatInterval()),
                properties.heartbeatInterval());
        lease.beforeJoining(h2OneMachine::check);
        if (h2OneMachine.h2()) {
            lease.judgeProcessesBy(ProcessLocks.in(properties.dataDir().resolve("workers")));
        }
        return lease;
    }

    @Bean
    RestartLocks restartLocks(DataSource dataSource) {
        return new RestartLocks(dataSource);
    }

    @Bean
    WorkerRegistry workerRegistry(JdbcTemplate jdbcTemplate) {
        return new WorkerRegistry(jdbcTemplate);
    }

    /**
     * The worker's own clock: the system's, shifted by the test-only offset. It only stamps what
     * is shown to people; every lease is judged by the database's clock.
     */
    public static Clock clock(ClusterProperties cluster) {
        return Clock.offset(Clock.systemUTC(), cluster.testClockOffset());
    }
}
