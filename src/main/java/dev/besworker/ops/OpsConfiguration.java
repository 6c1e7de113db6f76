package dev.besworker.ops;

import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.WorkerProperties;

/** Owner records, heartbeats and the reports of {@code list} and {@code show}. */
@Configuration(proxyBeanMethods = false)
public class OpsConfiguration {

    @Bean
    ExecutionOwners executionOwners(JdbcTemplate jdbcTemplate, JobRepository jobRepository, JobOperator jobOperator,
            WorkerProperties properties) {
        return new ExecutionOwners(jdbcTemplate, jobRepository, jobOperator, properties.heartbeatInterval());
    }

    @Bean
    ExecutionReports executionReports(JdbcTemplate jdbcTemplate, JobRepository jobRepository,
            ExecutionOwners executionOwners) {
        return new ExecutionReports(jdbcTemplate, jobRepository, executionOwners);
    }
}
