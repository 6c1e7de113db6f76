package dev.besworker.cli;

import java.io.IOException;
import java.time.Duration;

import picocli.CommandLine.Command;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.WorkerProperties;
import dev.besworker.ops.OperatorActions;
import dev.besworker.pipeline.RunIndex;

/** {@code stop}: asks a running execution's process to stop it, restartably. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = { "Asks the process running an execution to stop it; it ends STOPPED and can be restarted.",
                "An execution left running by a dead process is marked FAILED instead (restartable too)." })
class StopCommand extends ExecutionCommand {

    @Override
    protected int execute(WorkerSession session) throws IOException {
        JobRepository repository = session.bean(JobRepository.class);
        JobExecution execution = RunIndex.requireExecution(repository, executionId);
        if (!execution.getStatus().isRunning()) {
            out.println("execution " + executionId + " is not running (" + execution.getStatus() + ")");
            return ExitCodes.COMPLETED;
        }
        Duration timeout = session.bean(WorkerProperties.class).stopTimeout();
        OperatorActions.Stop stop = Executions.stop(session.bean(OperatorActions.class), repository, execution,
                timeout);
        JobExecution ended = stop.execution();
        if (!stop.requested()) {
            out.println("execution " + executionId + " was left running by a process that is gone; marked FAILED");
        }
        else if (ended.getStatus().isRunning()) {
            out.println("execution " + executionId + " was asked to stop and is still " + ended.getStatus()
                    + " after " + timeout.toSeconds() + "s; check again with: " + command("show " + executionId));
            return ExitCodes.FAILED;
        }
        else {
            out.println("execution " + executionId + " " + ended.getStatus());
        }
        out.println("restart with: " + command("restart " + executionId));
        return ExitCodes.COMPLETED;
    }
}
