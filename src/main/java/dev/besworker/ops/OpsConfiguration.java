package dev.besworker.ops;

import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.cluster.ClusterConfiguration;
import dev.besworker.cluster.ClusterProperties;
import dev.besworker.cluster.RestartLocks;
import dev.besworker.cluster.WorkerLease;
import dev.besworker.pipeline.ScoringEnvironment;

/**
 * Owner records, stop requests, take-overs, the operator's stop and abandon, and the reports of
 * {@code list} and {@code show}.
 */
@Configuration(proxyBeanMethods = false)
public class OpsConfiguration {

    @Bean
    ExecutionOwners executionOwners(JdbcTemplate jdbcTemplate, JobRepository jobRepository, JobOperator jobOperator,
            WorkerLease workerLease, RestartLocks restartLocks, ClusterProperties cluster) {
        return new ExecutionOwners(jdbcTemplate, jobRepository, jobOperator, workerLease, restartLocks,
                ClusterConfiguration.clock(cluster));
    }

    @Bean
    ExecutionReports executionReports(JdbcTemplate jdbcTemplate, JobRepository jobRepository,
            ExecutionOwners executionOwners) {
        return new ExecutionReports(jdbcTemplate, jobRepository, executionOwners);
    }

    @Bean
    OperatorActions operatorActions(JobRepository jobRepository, JobOperator jobOperator,
            ExecutionOwners executionOwners, ScoringEnvironment scoringEnvironment) {
        return new OperatorActions(jobRepository, jobOperator, executionOwners, scoringEnvironment);
    }
}
