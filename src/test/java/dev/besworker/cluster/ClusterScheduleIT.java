package dev.besworker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.besworker.intake.Inbox;

/** A schedule shared by three workers (three hosts) fires once per time, whichever workers are up. */
class ClusterScheduleIT extends ClusterHarness {

    private static final Pattern FIRED = Pattern.compile("schedule tick: fired \\(on time\\) for (\\S+);");
    private static final Pattern ELSEWHERE = Pattern.compile("schedule tick: (\\S+) fired on another worker");

    @Test
    void scheduleAcrossThreeWorkers_firesOncePerTime() throws Exception {
        // given three workers with a schedule every two seconds, and files waiting for it
        definition("tick", "schedule: {cron: \"*/2 * * * * *\", zone: UTC}\n");
        List<HostWorker> workers = workers("worker-a", "worker-b", "worker-c");
        for (int i = 1; i <= 3; i++) {
            drop("tick", "t" + i + ".csv", "tick " + i);
        }

        // when the schedule goes off several times with all three up
        await().atMost(Duration.ofMinutes(2)).until(() -> workers.stream()
                .allMatch(w -> firedHere(w).size() + firedElsewhere(w).size() >= 4));
        awaitFiles(inbox("tick").resolve(Inbox.DONE), 3, Duration.ofMinutes(2));
        workers.forEach(HostWorker::close);

        // then each time was fired by exactly one worker, and the others saw it fired
        List<String> fired = new ArrayList<>();
        workers.forEach(w -> fired.addAll(firedHere(w)));
        assertThat(fired).doesNotHaveDuplicates();
        assertThat(Set.copyOf(fired)).hasSize(query("SELECT 1 FROM BES_WORKER_SCHEDULE_FIRING "
                + "WHERE DEFINITION_NAME = 'tick' AND KIND = 'CRON'").size());
        Set<String> seenEverywhere = new HashSet<>(fired);
        for (HostWorker worker : workers) {
            Set<String> seen = new HashSet<>(firedHere(worker));
            seen.addAll(firedElsewhere(worker));
            seenEverywhere.retainAll(seen);
        }
        assertThat(seenEverywhere).as("times every worker's timer went off at").hasSizeGreaterThanOrEqualTo(3);
        assertThat(names(inbox("tick").resolve(Inbox.FAILED))).isEmpty();
        assertThat(starts()).isEqualTo(3);
    }

    private static List<String> firedHere(HostWorker worker) {
        return matches(FIRED, worker.log());
    }

    private static List<String> firedElsewhere(HostWorker worker) {
        return matches(ELSEWHERE, worker.log());
    }

    private static List<String> matches(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
