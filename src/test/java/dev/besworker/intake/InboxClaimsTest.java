package dev.besworker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.integration.jdbc.metadata.JdbcMetadataStore;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.besworker.intake.InboxClaims.Claim;

/** Claims of inbox files by several workers, in a real (H2) database with the worker's schema. */
class InboxClaimsTest {

    @TempDir
    Path root;

    private final Set<String> live = new HashSet<>();
    private DriverManagerDataSource dataSource;
    private Inbox inbox;

    @BeforeEach
    void database() throws Exception {
        dataSource = new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        new ResourceDatabasePopulator(new ClassPathResource("db/bes-worker-cluster-schema.sql")).execute(dataSource);
        inbox = new Inbox("reviews", root.resolve("inbox"));
        inbox.createFolders();
    }

    private InboxClaims worker(String id) {
        live.add(id);
        JdbcMetadataStore store = new JdbcMetadataStore(dataSource);
        store.setTablePrefix("BES_WORKER_");
        store.setRegion("INBOX_CLAIM");
        store.afterPropertiesSet();
        return new InboxClaims(store, new WorkerLiveness() {
            @Override
            public String self() {
                return id;
            }

            @Override
            public boolean isLive(String instanceId) {
                return live.contains(instanceId);
            }
        }, Clock.systemUTC());
    }

    @Test
    void twoLiveWorkers_onlyOneClaimsAFile_andTheOtherSkipsIt() throws Exception {
        // given two live workers and a file
        InboxClaims a = worker("a");
        InboxClaims b = worker("b");
        Path file = Files.writeString(inbox.dir().resolve("x.csv"), "x");

        // when both claim it
        Optional<Claim> first = a.claim(inbox, file);
        Optional<Claim> second = b.claim(inbox, file);

        // then the first has it, the second does not, and neither may claim it again
        assertThat(first).isPresent();
        assertThat(second).isEmpty();
        assertThat(a.claim(inbox, file)).isEmpty();
        assertThat(a.holds(first.get())).isTrue();
        assertThat(b.claimable(inbox, file)).isFalse();
    }

    @Test
    void claimOfADeadWorker_isTakenOverByOneLiveWorker_andTheDeadOneNoLongerHoldsIt() throws Exception {
        // given a claim of worker a, which then dies
        InboxClaims a = worker("a");
        InboxClaims b = worker("b");
        InboxClaims c = worker("c");
        Path file = Files.writeString(inbox.dir().resolve("x.csv"), "x");
        Claim dead = a.claim(inbox, file).orElseThrow();
        live.remove("a");

        // when two live workers try to take it over
        Optional<Claim> byB = b.claim(inbox, file);
        Optional<Claim> byC = c.claim(inbox, file);

        // then one has it, naming whom it took it from, and the dead one (should it wake) stands down
        assertThat(byB).isPresent();
        assertThat(byB.get().takenOverFrom()).isEqualTo("a");
        assertThat(byC).isEmpty();
        assertThat(a.holds(dead)).isFalse();
        assertThat(c.claimable(inbox, file)).isFalse();
    }

    @Test
    void releasedClaim_isFreeAgain_andAClaimFollowsItsFileToANewName() throws Exception {
        // given a claimed file
        InboxClaims a = worker("a");
        InboxClaims b = worker("b");
        Path file = Files.writeString(inbox.dir().resolve("x.csv"), "x");
        Claim claim = a.claim(inbox, file).orElseThrow();

        // when the claim moves to a new name, and the file with it
        Path renamed = inbox.processing().resolve("x.42.csv");
        Claim moved = a.rename(claim, inbox, file, renamed);
        Files.move(file, renamed);

        // then the new name is held, and once released it is free for anyone
        assertThat(b.claimable(inbox, renamed)).isFalse();
        assertThat(a.holds(moved)).isTrue();
        a.release(moved);
        assertThat(b.claimable(inbox, renamed)).isTrue();
        assertThat(b.claim(inbox, renamed)).isPresent();
    }
}
