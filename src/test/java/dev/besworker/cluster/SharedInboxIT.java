package dev.besworker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.besworker.intake.Inbox;

/**
 * Two {@code serve} workers as two hosts (own pid and UTS namespaces: both are pid 1, their host
 * names differ) on one PostgreSQL repository and one inbox folder: each file is scored by one of
 * them, a worker that dies or freezes has its files finished by the other, and a recorded BES job
 * is never submitted or started again.
 */
class SharedInboxIT extends ClusterHarness {

    @Test
    void filesDroppedWhileAllLive_areEachScoredOnce_noneFails() throws Exception {
        // given two workers sharing an inbox
        definition("shared", null);
        admin.behaviour("{\"jobDurationMillis\":800,\"times\":-1}");
        List<HostWorker> both = workers("worker-a", "worker-b");
        HostWorker a = both.get(0);
        HostWorker b = both.get(1);

        // when eight files are dropped
        for (int i = 1; i <= 8; i++) {
            drop("shared", "f" + i + ".csv", "shared " + i);
        }

        // then each is scored once, by one of them
        awaitFiles(inbox("shared").resolve(Inbox.DONE), 8, Duration.ofMinutes(3));
        assertThat(names(inbox("shared").resolve(Inbox.FAILED))).isEmpty();
        assertThat(names(inbox("shared").resolve(Inbox.DONE))).hasSize(8).noneMatch(n -> n.endsWith(".txt"));
        assertThat(names(output("shared"))).hasSize(8);
        assertThat(starts()).isEqualTo(8);
        assertThat(submitsByInput()).hasSize(8).allSatisfy((input, count) -> assertThat(count).isEqualTo(1));
        assertThat(statuses("shared")).containsOnlyKeys("COMPLETED").containsEntry("COMPLETED", 8L);
        assertThat(lines(a, "inbox shared: claimed") + lines(b, "inbox shared: claimed")).isEqualTo(8);
        assertThat(a.log() + b.log()).doesNotContain("which is gone").doesNotContain("taken over");
    }

    @Test
    void workerKilledWhilePolling_survivorFinishesItsFiles_besStartsOncePerFile() throws Exception {
        // given two workers, and jobs that run for a while
        definition("killed", null);
        admin.behaviour("{\"jobDurationMillis\":6000,\"times\":-1}");
        List<HostWorker> both = workers("worker-a", "worker-b");
        HostWorker a = both.get(0);
        HostWorker b = both.get(1);
        for (int i = 1; i <= 4; i++) {
            drop("killed", "k" + i + ".csv", "killed " + i);
        }

        // when the first worker seen polling a BES job is killed -9 (which worker claims files
        // first is a race: on a quiet machine one worker can claim all four)
        await().atMost(Duration.ofMinutes(2)).until(() -> a.log().contains("-> RUNNING")
                || b.log().contains("-> RUNNING"));
        HostWorker killed = a.log().contains("-> RUNNING") ? a : b;
        HostWorker survivor = killed == a ? b : a;
        long claimedByKilled = lines(killed, "inbox killed: claimed");
        killed.kill();

        // then the survivor takes its files over and finishes every one; each BES job was started once
        awaitFiles(inbox("killed").resolve(Inbox.DONE), 4, Duration.ofMinutes(3));
        assertThat(claimedByKilled).isPositive();
        assertThat(names(inbox("killed").resolve(Inbox.FAILED))).isEmpty();
        assertThat(names(output("killed"))).hasSize(4);
        assertThat(lines(survivor, "which is gone; taken over")).isEqualTo(claimedByKilled);
        assertThat(starts()).isEqualTo(4);
        assertThat(submitsByInput()).hasSize(4).allSatisfy((input, count) -> assertThat(count).isEqualTo(1));
        assertThat(statuses("killed").get("COMPLETED")).isEqualTo(4);
        assertThat(statuses("killed")).doesNotContainKeys("STARTED", "STARTING", "STOPPING", "UNKNOWN");
    }

    @Test
    void workerFrozenPastItsLease_standsDownAfterTheTakeOver_nothingIsWrittenTwice() throws Exception {
        // given worker-a polling a long BES job, and worker-b joining meanwhile
        definition("frozen", null);
        // long enough for worker-b to start and join while worker-a polls it
        admin.behaviour("{\"jobDurationMillis\":60000,\"times\":-1}");
        HostWorker a = worker("worker-a", Map.of());
        drop("frozen", "cold.csv", "frozen");
        await().atMost(Duration.ofMinutes(2)).until(() -> a.log().contains("-> RUNNING"));
        HostWorker b = worker("worker-b", Map.of());
        Thread.sleep(LEASE.toMillis()); // a few scans of worker-b while worker-a lives
        assertThat(b.log()).as("a joining worker leaves a live worker's file alone").doesNotContain("taken over");

        // when worker-a freezes for longer than its lease, then runs on
        a.pause();
        try {
            // worker-b takes the file over, then its execution (recovered, to be restarted at its step)
            await().atMost(LEASE.multipliedBy(6)).until(() -> b.log().contains("taken over")
                    && b.log().contains("which is gone; recovering it"));
        }
        finally {
            a.resume();
        }

        // then worker-b finishes the file, and worker-a stands down without moving or writing anything
        awaitFiles(inbox("frozen").resolve(Inbox.DONE), 1, Duration.ofMinutes(2));
        await().atMost(Duration.ofMinutes(1)).until(() -> a.log().contains("lost its claim of the file"));
        Thread.sleep(2000);
        assertThat(names(inbox("frozen").resolve(Inbox.DONE))).containsExactly("cold.csv");
        assertThat(names(inbox("frozen").resolve(Inbox.FAILED))).isEmpty();
        assertThat(names(inbox("frozen").resolve(Inbox.PROCESSING))).isEmpty();
        assertThat(names(output("frozen"))).containsExactly("cold.output1.csv");
        assertThat(a.log()).doesNotContain("moved to done").doesNotContain("moved to failed")
                .doesNotContain("download output1: wrote");
        assertThat(b.log()).contains("download output1: wrote").contains("moved to done/cold.csv");
        assertThat(starts()).isEqualTo(1);
        assertThat(admin.counter("submits")).isEqualTo(1);
        assertThat(statuses("frozen").get("COMPLETED")).isEqualTo(1);
    }

    @Test
    void workerWithSkewedClock_takesNothingOverFromALiveWorker() throws Exception {
        // given worker-a polling a long BES job, and worker-b whose clock is ten minutes ahead
        definition("skewed", null);
        admin.behaviour("{\"jobDurationMillis\":" + LEASE.multipliedBy(3).toMillis() + ",\"times\":-1}");
        HostWorker a = worker("worker-a", Map.of());
        HostWorker b = worker("worker-b", Map.of("besworker.cluster.test-clock-offset", "10m"));

        // when a file is scored by worker-a while worker-b scans
        drop("skewed", "late.csv", "skewed");
        awaitFiles(inbox("skewed").resolve(Inbox.DONE), 1, Duration.ofMinutes(2));

        // then worker-b never took it over: one run, one BES job
        assertThat(b.log()).doesNotContain("taken over").doesNotContain("which is gone");
        assertThat(a.log() + b.log()).doesNotContain("standing down");
        assertThat(starts()).isEqualTo(1);
        assertThat(statuses("skewed")).containsOnlyKeys("COMPLETED").containsEntry("COMPLETED", 1L);
    }
}
