package dev.besworker.cli;

import java.io.IOException;
import java.time.Duration;

import picocli.CommandLine.Command;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.WorkerProperties;
import dev.besworker.ops.OperatorActions;
import dev.besworker.pipeline.RunIndex;

/** {@code abandon}: gives an execution up for good, cancelling its remote BES job. */
@Command(name = "abandon", mixinStandardHelpOptions = true,
        description = { "Gives an execution up for good: stops it if it runs, cancels its BES job (DELETE) and marks it ABANDONED.",
                "An abandoned execution cannot be restarted; 'run' scores its input anew." })
class AbandonCommand extends ExecutionCommand {

    @Override
    protected int execute(WorkerSession session) throws IOException {
        JobRepository repository = session.bean(JobRepository.class);
        OperatorActions actions = session.bean(OperatorActions.class);
        JobExecution execution = RunIndex.requireExecution(repository, executionId);
        if (execution.getStatus().isRunning()) {
            Duration timeout = session.bean(WorkerProperties.class).stopTimeout();
            OperatorActions.Stop stop = Executions.stop(actions, repository, execution, timeout);
            execution = stop.execution();
            if (stop.requested() && execution.getStatus().isRunning()) {
                out.println("execution " + executionId + " did not stop within " + timeout.toSeconds()
                        + "s; not abandoned. Try again, or check: " + command("show " + executionId));
                return ExitCodes.OWNED_BY_LIVE_PROCESS;
            }
        }
        OperatorActions.Abandoned abandoned = actions.abandon(execution);
        if (abandoned.cancel() == OperatorActions.Cancel.CANCELLED) {
            out.println("cancelled BES job " + abandoned.jobId());
        }
        out.println("execution " + executionId + " ABANDONED");
        return ExitCodes.COMPLETED;
    }
}
