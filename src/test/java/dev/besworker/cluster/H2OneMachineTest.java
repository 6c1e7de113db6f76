package dev.besworker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** An H2 repository serves one machine: a worker of a second host is refused while one of the first lives. */
class H2OneMachineTest {

    @TempDir
    Path dir;

    private JdbcTemplate jdbc;

    @BeforeEach
    void repository() {
        jdbc = H2Repository.in(dir);
    }

    @Test
    void aWorkerOfAnotherHost_isRefused_whileOneOfThisFilesHostLives() {
        // given: a live worker on host "first-machine"
        lease("first-machine", Duration.ofMinutes(1)).join("serve");
        WorkerIdentity second = new WorkerIdentity("22222222-0000-0000-0000-000000000000", "second-machine", 7,
                Clock.systemUTC().instant());

        // when / then
        assertThatThrownBy(() -> new H2OneMachine(jdbc, second).check()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in use by worker ").hasMessageContaining("on first-machine")
                .hasMessageContaining("this is host second-machine: an H2 repository serves one machine only")
                .hasMessageContaining("PostgreSQL");
        WorkerLease secondLease = new WorkerLease(jdbc, second, Duration.ofMinutes(1), Duration.ofSeconds(10));
        secondLease.beforeJoining(new H2OneMachine(jdbc, second)::check);
        assertThatThrownBy(() -> secondLease.join("run")).isInstanceOf(IllegalArgumentException.class);
        assertThat(secondLease.joined()).isFalse();
    }

    @Test
    void aWorkerOfAnotherHost_isLetIn_onceTheFirstHostsWorkerEnded() {
        // given: the first machine's worker ended in order
        WorkerLease first = lease("first-machine", Duration.ofMinutes(1));
        first.join("serve");
        first.close();
        WorkerIdentity second = new WorkerIdentity("33333333-0000-0000-0000-000000000000", "second-machine", 7,
                Clock.systemUTC().instant());

        // when / then
        assertThatCode(() -> new H2OneMachine(jdbc, second).check()).doesNotThrowAnyException();
    }

    @Test
    void workersOfTheSameHost_shareTheFile() {
        lease("first-machine", Duration.ofMinutes(1)).join("serve");
        WorkerIdentity another = new WorkerIdentity("44444444-0000-0000-0000-000000000000", "first-machine", 8,
                Clock.systemUTC().instant());

        assertThatCode(() -> new H2OneMachine(jdbc, another).check()).doesNotThrowAnyException();
    }

    private WorkerLease lease(String host, Duration duration) {
        WorkerIdentity identity = new WorkerIdentity(java.util.UUID.randomUUID().toString(), host, 1,
                Clock.systemUTC().instant());
        return new WorkerLease(jdbc, identity, duration, Duration.ofHours(1));
    }
}
