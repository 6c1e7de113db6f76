package dev.besworker.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import dev.besworker.BesWorkerApplication;

import static org.assertj.core.api.Assertions.assertThat;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({ "90d, PT2160H", "1d12h, PT36H", "PT36H, PT36H", "30m, PT30M" })
    void aDurationAsDefinitionsWriteIt_isRead(String written, Duration expected) {
        // when
        Duration read = new DurationConverter().convert(written);

        // then
        assertThat(read).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({ "purge, --older-than", "workers, --recent" })
    void aBareNumber_isAUsageErrorNamingTheOptionAndTheForms(String command, String option) {
        // given
        StringWriter err = new StringWriter();
        CommandLine commandLine = BesWorkerApplication.commandLine(command, option, "500").setErr(new PrintWriter(err));

        // when
        int exit = commandLine.execute(command, option, "500");

        // then: refused before any worker starts, as the emulator's durations are
        assertThat(exit).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(err.toString()).contains(option, "\"500\" has no unit", "use e.g. 500ms");
    }
}
