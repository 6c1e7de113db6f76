package dev.besworker.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import dev.besworker.BesWorkerApplication;

import static org.assertj.core.api.Assertions.assertThat;

class ExecutionCommandTest {

    @ParameterizedTest
    @ValueSource(strings = { "stop", "abandon", "restart", "show" })
    void aCommandAboutOneExecution_withoutItsId_isAUsageError(String command) {
        // given
        StringWriter err = new StringWriter();
        CommandLine commandLine = BesWorkerApplication.commandLine(command).setErr(new PrintWriter(err));

        // when
        int exit = commandLine.execute(command);

        // then: refused before any worker starts
        assertThat(exit).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(err.toString()).contains("EXECUTION-ID");
    }
}
