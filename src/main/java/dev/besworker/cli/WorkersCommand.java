package dev.besworker.cli;

import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.besworker.cluster.WorkerRegistry;
import dev.besworker.cluster.WorkerRegistry.Worker;
import dev.besworker.definition.Units;

/** {@code workers}: the workers of the job repository, live and recently gone. */
@Command(name = "workers", mixinStandardHelpOptions = true,
        description = { "Lists the workers that share this job repository: live ones, and those gone within --recent.",
                "For each: id, host, pid, start, lease (by the database's clock) and the executions it owns." })
class WorkersCommand extends WorkerCommand {

    @Option(names = "--recent", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class,
            description = "Also list workers whose lease ended within this (default ${DEFAULT-VALUE}; e.g. 30m, 2d).")
    Duration recent;

    @Option(names = "--json", description = "JSON for scripts.")
    boolean json;

    @Override
    protected int execute() throws IOException {
        try (WorkerSession session = WorkerSession.open(global)) {
            List<Worker> workers = session.bean(WorkerRegistry.class).workers(recent);
            if (json) {
                out.println(Json.write(workers));
                return ExitCodes.COMPLETED;
            }
            if (workers.isEmpty()) {
                out.println("no workers within the last " + Units.format(recent));
                return ExitCodes.COMPLETED;
            }
            out.printf("%-8s %-6s %-24s %-8s %-8s %-19s %-19s %s%n", "WORKER", "STATE", "HOST", "PID", "COMMAND",
                    "STARTED", "LEASE UNTIL", "EXECUTIONS");
            for (Worker w : workers) {
                String state = w.live() ? "live" : w.endedAt() != null ? "ended" : "gone";
                out.printf("%-8s %-6s %-24s %-8d %-8s %-19s %-19s %s%n", w.instanceId().substring(0, 8), state, w.host(),
                        w.pid(), w.command() == null ? "-" : w.command(), time(w.startedAt()), time(w.leaseExpiresAt()),
                        w.executions().isEmpty() ? "-" : w.executions().toString().replaceAll("[\\[\\]]", ""));
            }
            return ExitCodes.COMPLETED;
        }
    }

    /** Database time shown in this machine's zone, like the times of {@code list}. */
    private static String time(OffsetDateTime time) {
        return time == null ? "-" : ListCommand.time(time.atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime());
    }
}
