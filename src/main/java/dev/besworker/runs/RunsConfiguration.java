package dev.besworker.runs;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.besworker.pipeline.ExecutionGuard;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.staging.CsvValidator;

/** The {@link ScoringRuns} bean, over the scoring job and its repository. */
@Configuration(proxyBeanMethods = false)
public class RunsConfiguration {

    @Bean
    ScoringRuns scoringRuns(JobOperator jobOperator, JobRepository jobRepository, Job besScoringJob,
            ScoringEnvironment environment, CsvValidator validator, RunIndex runIndex,
            ObjectProvider<ExecutionGuard> guard) {
        return new ScoringRuns(jobOperator, jobRepository, besScoringJob, environment, validator, runIndex,
                guard.getIfAvailable(() -> ExecutionGuard.NONE));
    }
}
