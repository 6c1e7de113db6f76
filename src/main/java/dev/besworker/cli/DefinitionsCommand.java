package dev.besworker.cli;

import java.util.List;

import picocli.CommandLine.Command;

import dev.besworker.definition.DefinitionLoader;
import dev.besworker.secrets.Redactor;

/** {@code definitions}: every job definition and whether it is valid. */
@Command(name = "definitions", mixinStandardHelpOptions = true,
        description = "Lists the job definitions in the jobs folder and whether each is valid (exit 2 if any is not).")
class DefinitionsCommand extends WorkerCommand {

    @Override
    protected int execute() {
        List<DefinitionLoader.Entry> entries = DefinitionLoader.forProcess().loadAll(global.jobsDir);
        if (entries.isEmpty()) {
            out.println("no definitions in " + global.jobsDir + " (add <name>.yml files there)");
            return ExitCodes.CONFIGURATION;
        }
        boolean allValid = true;
        for (DefinitionLoader.Entry entry : entries) {
            boolean valid = entry.definition() != null;
            allValid &= valid;
            out.printf("%-24s %-8s %s%n", entry.name(), valid ? "valid" : "INVALID", entry.file());
            entry.problems().forEach(problem -> out.println("    " + Redactor.scrub(problem)));
        }
        return allValid ? ExitCodes.COMPLETED : ExitCodes.CONFIGURATION;
    }
}
