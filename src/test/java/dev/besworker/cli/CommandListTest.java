package dev.besworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import dev.besworker.BesWorkerApplication;

/**
 * Which commands the user sees: every one wherever picocli lists them, although a command line
 * that asks for one command is built with that command alone.
 */
class CommandListTest {

    private static final List<String> EVERY_COMMAND = List.of("run", "restart", "stop", "abandon", "list", "show",
            "workers", "definitions", "check", "serve", "purge", "hash-password", "emulator");

    @ParameterizedTest
    @ValueSource(strings = { "--help", "-h run", "--data-dir d --help", "--jobs-dir jobs -h list" })
    void theFullHelp_listsEveryCommand(String arguments) {
        // when
        Printed printed = execute(arguments.split(" "));

        // then
        assertThat(printed.exit()).isEqualTo(ExitCodes.COMPLETED);
        assertThat(commandsListed(printed.out())).isEqualTo(EVERY_COMMAND);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "--data-dir d", "foo", "--data-dir d foo", "--bogus list" })
    void noCommand_orOneThatDoesNotExist_isAUsageError_listingEveryCommand(String arguments) {
        // when
        Printed printed = execute(arguments.isEmpty() ? new String[0] : arguments.split(" "));

        // then
        assertThat(printed.exit()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(commandsListed(printed.err())).isEqualTo(EVERY_COMMAND);
    }

    @ParameterizedTest
    @ValueSource(strings = { "serv", "--data-dir d serv" })
    void aMisspelledCommand_isAUsageError_suggestingTheCommandsItResembles(String arguments) {
        // when
        Printed printed = execute(arguments.split(" "));

        // then
        assertThat(printed.exit()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(printed.err()).contains("Did you mean: bes-worker serve or bes-worker workers?");
    }

    @ParameterizedTest
    @ValueSource(strings = { "run", "restart", "stop", "abandon", "list", "show", "workers", "definitions", "check",
            "serve", "purge", "hash-password", "emulator" })
    void eachCommand_afterTheGlobalOptions_answersItsOwnHelp(String command) {
        // when
        Printed printed = execute("--data-dir", "d", "--jobs-dir", "j", command, "--help");

        // then
        assertThat(printed.exit()).isEqualTo(ExitCodes.COMPLETED);
        assertThat(printed.out()).startsWith("Usage: bes-worker " + command + " ").contains("--data-dir");
    }

    private static Printed execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BesWorkerApplication.commandLine(args)
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new Printed(exit, out.toString(), err.toString());
    }

    /** The names under "Commands:" in a usage message. */
    private static List<String> commandsListed(String usage) {
        List<String> names = new ArrayList<>();
        boolean inList = false;
        for (String line : usage.lines().toList()) {
            if (line.equals("Commands:")) {
                inList = true;
            }
            else if (inList && line.isBlank()) {
                break;
            }
            else if (inList && line.matches("  \\S.*")) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    private record Printed(int exit, String out, String err) {
    }

}
