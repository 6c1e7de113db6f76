package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.besworker.intake.Inbox;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;
import dev.besworker.serve.ScheduleRunner.Firing;
import dev.besworker.serve.ScheduleRunner.Trigger;

/** Schedules under a real serve: files wait for their definition's times. */
class ScheduleServeTest extends ServeTestSupport {

    @Test
    void secondsCron_firesAndReleasesTheWaitingFiles_whileAnotherScheduleHoldsItsOwn() throws Exception {
        // given one definition fired every 3 seconds, and one whose time will not come during the test
        definition("often", Duration.ofMillis(300), "schedule: {cron: \"*/3 * * * * *\", zone: UTC}\n");
        definition("yearly", Duration.ofMillis(300), "schedule: {cron: \"0 0 0 1 1 *\", zone: UTC}\n");
        Serve serve = serve(Map.of());

        // when a file is dropped into each inbox
        write(inbox("often").resolve("waiting.csv"), csv("often", 3));
        write(inbox("yearly").resolve("held.csv"), csv("yearly", 3));

        // then the cron fires, its firing releases the file, and only then is the file scored
        awaitFiles(inbox("often").resolve(Inbox.DONE), 1, Duration.ofSeconds(60));
        Firing releasing = serve.daemon().schedules().firings().stream()
                .filter(f -> f.definition().equals("often") && f.released() > 0).findFirst().orElseThrow();
        assertThat(releasing.trigger()).isEqualTo(Trigger.CRON);
        ExecutionSummary run = executions(serve, "often").get(0);
        assertThat(run.startTime().atZone(ZoneId.systemDefault()).toInstant()).isAfter(releasing.at());
        assertThat(names(output("often"))).containsExactly("waiting.output1.csv");
        assertThat(names(inbox("yearly"))).containsExactly("held.csv");
        assertThat(executions(serve, "yearly")).isEmpty();
    }

    @Test
    void timesMissedWhileDown_areCaughtUpOnceAtStart_onlyWhereCatchUpIsOn() throws Exception {
        // given two nightly definitions that last fired three days ago, one with catch-up
        definition("nightly", Duration.ofMillis(300),
                "schedule: {cron: \"0 0 3 * * *\", zone: UTC, catch-up: true}\n");
        definition("nocatch", Duration.ofMillis(300),
                "schedule: {cron: \"0 0 3 * * *\", zone: UTC, catch-up: false}\n");
        Instant threeDaysAgo = Instant.now().minus(3, ChronoUnit.DAYS);
        // as an earlier version kept them: in a file of the data folder, which serve takes over
        write(ScheduleState.fileIn(dataDir), "nightly=" + threeDaysAgo + "\nnocatch=" + threeDaysAgo + "\n");
        write(inbox("nightly").resolve("overnight.csv"), csv("nightly", 3));
        write(inbox("nocatch").resolve("kept.csv"), csv("nocatch", 3));

        // when serve starts
        Serve serve = serve(Map.of());

        // then the missed times are made up by one firing, which scores the waiting file
        awaitFiles(inbox("nightly").resolve(Inbox.DONE), 1, Duration.ofSeconds(60));
        List<Firing> firings = serve.daemon().schedules().firings();
        assertThat(firings).hasSize(1);
        assertThat(firings.get(0).definition()).isEqualTo("nightly");
        assertThat(firings.get(0).trigger()).isEqualTo(Trigger.CATCH_UP);
        assertThat(firings.get(0).released()).isEqualTo(1);
        assertThat(executions(serve, "nightly")).hasSize(1);
        ScheduleState state = serve.bean(ScheduleState.class);
        assertThat(state.last("nightly")).get().isEqualTo(firings.get(0).at().truncatedTo(ChronoUnit.MILLIS));
        assertThat(state.firings("nightly")).isEqualTo(1);
        assertThat(names(inbox("nocatch"))).containsExactly("kept.csv");
        assertThat(executions(serve, "nocatch")).isEmpty();
    }
}
