package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.besworker.intake.WorkerLiveness;

/** Schedule firings and run slots shared by several workers, in a real (H2) database with the worker's schema. */
class ClusterSharingTest {

    private final Set<String> live = new HashSet<>();
    private JdbcTemplate jdbc;

    @BeforeEach
    void database() {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        new ResourceDatabasePopulator(new ClassPathResource("db/bes-worker-cluster-schema.sql")).execute(dataSource);
        jdbc = new JdbcTemplate(dataSource);
    }

    private WorkerLiveness worker(String id) {
        live.add(id);
        return new WorkerLiveness() {
            @Override
            public String self() {
                return id;
            }

            @Override
            public boolean isLive(String instanceId) {
                return live.contains(instanceId);
            }
        };
    }

    @Test
    void scheduledTime_isFiredByTheFirstWorkerOnly_andCountsAsTheLastFiring() {
        // given three workers' records of the firings
        ScheduleState a = new ScheduleState(jdbc, "a");
        ScheduleState b = new ScheduleState(jdbc, "b");
        ScheduleState c = new ScheduleState(jdbc, "c");
        Instant time = Instant.parse("2026-12-04T02:00:00Z");

        // when each worker's timer goes off at the same scheduled time (at different moments)
        boolean byA = a.claim("nightly", time, time, ScheduleState.Kind.CRON, time.plusMillis(3));
        boolean byB = b.claim("nightly", time, time, ScheduleState.Kind.CRON, time.plusSeconds(90));
        boolean byC = c.claim("nightly", time, time, ScheduleState.Kind.CRON, time.minusSeconds(60));

        // then one fired it, and every worker sees it as the last firing
        assertThat(byA).isTrue();
        assertThat(byB).isFalse();
        assertThat(byC).isFalse();
        assertThat(c.firedBy("nightly", time)).contains("a");
        assertThat(b.last("nightly")).contains(time);
        assertThat(b.firings("nightly")).isEqualTo(1);
        assertThat(b.last("other")).isEmpty();
    }

    @Test
    void definitionLimit_countsRunsOfEveryWorker_andADeadWorkersSlotsAreFreed() {
        // given a definition limited to two runs, and two workers
        ClusterSlots a = new ClusterSlots(jdbc, worker("a"), Clock.systemUTC());
        ClusterSlots b = new ClusterSlots(jdbc, worker("b"), Clock.systemUTC());

        // when worker a runs two and worker b asks for a third
        OptionalInt first = a.acquire("limited", 2);
        OptionalInt second = a.acquire("limited", 2);
        OptionalInt third = b.acquire("limited", 2);

        // then b waits; when one of a's runs ends, or when a dies, b gets a slot
        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(third).isEmpty();
        a.release("limited", first.getAsInt());
        assertThat(b.acquire("limited", 2)).hasValue(first.getAsInt());
        live.remove("a");
        assertThat(b.acquire("limited", 2)).hasValue(second.getAsInt());
        assertThat(b.held("limited")).isEqualTo(2);
        assertThat(b.acquire("limited", 2)).isEmpty();
    }
}
