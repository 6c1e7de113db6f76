package dev.besworker.pipeline;


import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import dev.besworker.WorkerProperties;
import dev.besworker.definition.DefinitionLoader;
import dev.besworker.definition.JobDefinition;
import dev.besworker.staging.CsvValidator;
import dev.besworker.staging.ResultDownloader;
import dev.besworker.staging.TransferProperties;

/**
 * The scoring job: validate, upload, submit, start, await, download, cleanup.
 * <p>
 * Each step is one tasklet that loops inside a single call (a poll may last hours), so the
 * steps run without a database transaction around them: a {@link ResourcelessTransactionManager}
 * keeps the job repository's own writes, such as the BES job id, committed the moment they are
 * made instead of at the end of the step. Submit, start and await run again on a restart even
 * when complete, and decide from the ExecutionContext whether there is anything to do: that is
 * how a restart after a Failed remote job submits anew, while one after a crash does not.
 */
@Configuration(proxyBeanMethods = false)
public class ScoringJobConfiguration {

    private static final RunLogListener.Steps STEP_LOG = new RunLogListener.Steps();

    private static final String DEFINITION = "#{jobParameters['" + RunKeys.DEFINITION + "']}";

    @Bean
    ScoringEnvironment scoringEnvironment(WorkerProperties properties, TransferProperties transfer,
            DefinitionLoader definitionLoader) {
        return new ScoringEnvironment(definitionLoader, properties.jobsDir(), transfer.settings());
    }

    @Bean
    CsvValidator csvValidator() {
        return new CsvValidator();
    }

    @Bean
    RunLogListener runLogListener(JobRepository jobRepository) {
        return new RunLogListener(jobRepository);
    }

    @Bean
    RunIndex runIndex(JdbcTemplate jdbcTemplate) {
        return new RunIndex(jdbcTemplate);
    }

    @Bean
    @StepScopedTasklet
    ValidateInputTasklet validateTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository, CsvValidator validator) {
        return new ValidateInputTasklet(environment.definition(name), jobRepository, validator);
    }

    @Bean
    @StepScopedTasklet
    UploadInputTasklet uploadTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository) {
        JobDefinition definition = environment.definition(name);
        return new UploadInputTasklet(definition, jobRepository, environment.openStaging(definition));
    }

    @Bean
    @StepScopedTasklet
    SubmitJobTasklet submitTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository) {
        JobDefinition definition = environment.definition(name);
        StopFlag stop = new StopFlag();
        return new SubmitJobTasklet(definition, jobRepository, environment.openBes(definition, stop.sleeper()),
                environment.openStaging(definition), stop);
    }

    @Bean
    @StepScopedTasklet
    StartJobTasklet startTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository) {
        JobDefinition definition = environment.definition(name);
        StopFlag stop = new StopFlag();
        return new StartJobTasklet(definition, jobRepository, environment.openBes(definition, stop.sleeper()), stop);
    }

    @Bean
    @StepScopedTasklet
    AwaitCompletionTasklet awaitTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository) {
        JobDefinition definition = environment.definition(name);
        StopFlag stop = new StopFlag();
        return new AwaitCompletionTasklet(definition, jobRepository, environment.openBes(definition, stop.sleeper()), stop);
    }

    @Bean
    @StepScopedTasklet
    DownloadResultsTasklet downloadTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository) {
        JobDefinition definition = environment.definition(name);
        StopFlag stop = new StopFlag();
        return new DownloadResultsTasklet(definition, jobRepository, environment.openBes(definition, stop.sleeper()),
                environment.openStaging(definition), new ResultDownloader(), stop);
    }

    @Bean
    @StepScopedTasklet
    CleanupTasklet cleanupTasklet(@Value(DEFINITION) String name, ScoringEnvironment environment,
            JobRepository jobRepository) {
        JobDefinition definition = environment.definition(name);
        StopFlag stop = new StopFlag();
        return new CleanupTasklet(definition, jobRepository, environment.openBes(definition, stop.sleeper()),
                environment.openStaging(definition), stop);
    }

    @Bean
    Job besScoringJob(JobRepository jobRepository, Tasklet validateTasklet, Tasklet uploadTasklet,
            Tasklet submitTasklet, Tasklet startTasklet, Tasklet awaitTasklet, Tasklet downloadTasklet,
            Tasklet cleanupTasklet, ObjectProvider<JobExecutionListener> listeners) {
        PlatformTransactionManager noTransaction = new ResourcelessTransactionManager();
        var job = new JobBuilder(RunKeys.JOB_NAME, jobRepository)
                .start(step("validate", validateTasklet, false, jobRepository, noTransaction))
                .next(step("upload", uploadTasklet, false, jobRepository, noTransaction))
                .next(step("submit", submitTasklet, true, jobRepository, noTransaction))
                .next(step("start", startTasklet, true, jobRepository, noTransaction))
                .next(step("await", awaitTasklet, true, jobRepository, noTransaction))
                .next(step("download", downloadTasklet, false, jobRepository, noTransaction))
                .next(step("cleanup", cleanupTasklet, false, jobRepository, noTransaction));
        listeners.orderedStream().forEach(job::listener);
        return job.build();
    }

    /**
     * The registry restart and stop look the job up in. Declared as a bean so that it fills
     * itself from the context once every singleton exists: the registry Spring Batch makes on its
     * own is filled while the JobOperator is created, which can be before this job is.
     */
    @Bean
    MapJobRegistry jobRegistry() {
        return new MapJobRegistry();
    }

    private static Step step(String name, Tasklet tasklet, boolean rerunWhenComplete, JobRepository jobRepository,
            PlatformTransactionManager transactionManager) {
        return new StepBuilder(name, jobRepository)
                .tasklet(tasklet, transactionManager)
                .listener(STEP_LOG)
                .allowStartIfComplete(rerunWhenComplete)
                .build();
    }
}
