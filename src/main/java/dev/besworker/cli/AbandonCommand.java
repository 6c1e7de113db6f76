package dev.besworker.cli;

import java.io.IOException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.WorkerProperties;
import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesException;
import dev.besworker.definition.JobDefinition;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.ScoringEnvironment;

/** {@code abandon}: gives an execution up for good, cancelling its remote BES job. */
@Command(name = "abandon", mixinStandardHelpOptions = true,
        description = { "Gives an execution up for good: stops it if it runs, cancels its BES job (DELETE) and marks it ABANDONED.",
                "An abandoned execution cannot be restarted; 'run' scores its input anew." })
class AbandonCommand extends WorkerCommand {

    private static final Logger log = LoggerFactory.getLogger(AbandonCommand.class);

    @Parameters(index = "0", paramLabel = "EXECUTION-ID")
    long executionId;

    @Override
    protected int execute() throws IOException {
        try (WorkerSession session = WorkerSession.open(global)) {
            JobRepository repository = session.bean(JobRepository.class);
            ExecutionOwners owners = session.bean(ExecutionOwners.class);
            JobExecution execution = Executions.find(repository, executionId);
            if (execution.getStatus().isRunning()) {
                if (owners.requestStop(executionId)) {
                    Duration timeout = session.bean(WorkerProperties.class).stopTimeout();
                    execution = Executions.awaitEnd(repository, executionId, timeout);
                    if (execution.getStatus().isRunning()) {
                        out.println("execution " + executionId + " did not stop within " + timeout.toSeconds()
                                + "s; not abandoned. Try again, or check: " + command("show " + executionId));
                        return ExitCodes.OWNED_BY_LIVE_PROCESS;
                    }
                }
                else {
                    execution = owners.takeOver(execution);
                }
            }
            cancelRemoteJob(session, execution);
            session.bean(JobOperator.class).abandon(repository.getJobExecution(executionId));
            out.println("execution " + executionId + " ABANDONED");
            return ExitCodes.COMPLETED;
        }
        catch (org.springframework.batch.core.launch.JobExecutionAlreadyRunningException ex) {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
    }

    private void cancelRemoteJob(WorkerSession session, JobExecution execution) {
        String jobId = execution.getExecutionContext().getString(RunKeys.BES_JOB_ID, null);
        if (jobId == null) {
            return;
        }
        ScoringEnvironment environment = session.bean(ScoringEnvironment.class);
        JobDefinition definition = environment.rawDefinition(execution.getJobParameters().getString(RunKeys.DEFINITION));
        if (definition.bes().embedded()) {
            log.info("BES job {} ran in an embedded emulator, which ended with its run; nothing to cancel", jobId);
            return;
        }
        try (BesClient bes = environment.openBes(definition)) {
            bes.cancel(jobId);
            out.println("cancelled BES job " + jobId);
        }
        catch (BesException ex) {
            log.warn("could not cancel BES job {}: {}", jobId, ex.getMessage());
        }
    }
}
