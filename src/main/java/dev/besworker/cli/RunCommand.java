package dev.besworker.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.PreparedRun;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns.RunRequest;

/** {@code run}: scores one input file through BES, in the foreground, to the end. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = { "Scores input CSV file(s) with a job definition's BES service, in the foreground.",
                "The same input already scored is reported instead of scored again (use --force to score again);",
                "an unfinished run of it is restarted." })
class RunCommand extends WorkerCommand {

    @Parameters(index = "0", paramLabel = "DEFINITION", description = "Name of the job definition (jobs/<name>.yml).")
    String definition;

    @Option(names = "--input", required = true, paramLabel = "FILE|NAME=FILE",
            description = "The input CSV; for a definition with several inputs, NAME=FILE once per input.")
    List<String> inputs;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Where results go (default: the definition's output-dir).")
    Path outputDir;

    @Option(names = "--param", paramLabel = "NAME=VALUE",
            description = "A global parameter for this run, over the definition's. Not for secrets: use ${VAR} in the definition.")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--force", description = "Score again even if this input was scored before.")
    boolean force;

    @Override
    protected int execute() throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String input : inputs) {
            int equals = input.indexOf('=');
            boolean named = equals > 0 && input.substring(0, equals).matches("[A-Za-z][A-Za-z0-9_.-]*")
                    && !java.nio.file.Files.exists(Path.of(input));
            if (named) {
                files.put(input.substring(0, equals), Path.of(input.substring(equals + 1)));
            }
            else {
                files.put(null, Path.of(input));
            }
        }
        try (WorkerSession session = WorkerSession.open(global, definition)) {
            session.describeAs("run " + definition);
            ScoringRuns runs = session.bean(ScoringRuns.class);
            if (runs.anyInputInBlocks(files.values())) {
                // Storage must be up for a large input to be uploaded while it is validated.
                session.startEmbeddedFor(definition);
            }
            PreparedRun prepared = runs.prepare(new RunRequest(definition, files, outputDir, parameters, force));
            var earlier = runs.earlierCompleted(prepared);
            if (earlier.isPresent()) {
                return Outcomes.print(earlier.get(), out, this::command);
            }
            session.startEmbeddedFor(definition);
            RunOutcome outcome = runs.run(prepared);
            return Outcomes.print(outcome, out, this::command);
        }
    }
}
