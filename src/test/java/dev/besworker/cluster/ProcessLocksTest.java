package dev.besworker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * On the one machine of an H2 repository a worker killed -9 is known dead at once by its process
 * lock, not a lease later: a second real process holds the lock and is killed.
 */
class ProcessLocksTest {

    @TempDir
    Path dir;

    private JdbcTemplate jdbc;
    private Process holder;

    @BeforeEach
    void repository() {
        jdbc = H2Repository.in(dir);
    }

    @AfterEach
    void stopHolder() {
        if (holder != null) {
            holder.destroyForcibly();
        }
    }

    @Test
    void aWorkerKilledWithoutGivingItsLeaseUp_losesItAtOnce_butNotWhileItsProcessLives() throws Exception {
        // given: a worker with a lease of an hour whose process (a second JVM) holds its lock
        WorkerLease other = lease(Duration.ofHours(1));
        other.join("run");
        holder = holdLockInAnotherProcess(other.identity().instanceId());
        WorkerLease me = lease(Duration.ofHours(1));
        me.judgeProcessesBy(ProcessLocks.in(dir.resolve("workers")));
        me.join("run");

        // when: it lives
        me.endLeasesOfEndedProcesses();

        // then
        assertThat(me.isCurrent(other.identity().instanceId())).isTrue();

        // when: it is killed -9
        holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        me.endLeasesOfEndedProcesses();

        // then
        assertThat(me.isCurrent(other.identity().instanceId())).isFalse();
        assertThat(dir.resolve("workers").resolve(other.identity().instanceId() + ".lock")).doesNotExist();
        assertThat(me.isCurrent()).isTrue();
    }

    @Test
    void aWorkerWithoutALockHere_keepsItsLeaseUntilItRunsOut() {
        // given: a live lease whose worker keeps no lock in this data folder (another folder, or none)
        WorkerLease other = lease(Duration.ofHours(1));
        other.join("serve");
        WorkerLease me = lease(Duration.ofHours(1));
        me.judgeProcessesBy(ProcessLocks.in(dir.resolve("workers")));
        me.join("run");

        // when
        me.endLeasesOfEndedProcesses();

        // then
        assertThat(me.isCurrent(other.identity().instanceId())).isTrue();
    }

    @Test
    void aWorkerThatEndsInOrder_removesItsLockFile() {
        // given
        WorkerLease worker = lease(Duration.ofHours(1));
        worker.judgeProcessesBy(ProcessLocks.in(dir.resolve("workers")));
        worker.join("run");
        Path lock = dir.resolve("workers").resolve(worker.identity().instanceId() + ".lock");
        assertThat(lock).exists();

        // when
        worker.close();

        // then
        assertThat(lock).doesNotExist();
    }

    private WorkerLease lease(Duration duration) {
        WorkerIdentity identity = new WorkerIdentity(UUID.randomUUID().toString(), "this-machine", 1,
                Clock.systemUTC().instant());
        return new WorkerLease(jdbc, identity, duration, Duration.ofHours(1));
    }

    private Process holdLockInAnotherProcess(String instanceId) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), dir.resolve("workers").toString(), instanceId).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("held");
        return process;
    }

    /** The other worker's process: holds its lock until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            ProcessLocks.in(Path.of(args[0])).hold(args[1]);
            System.out.println("held");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
