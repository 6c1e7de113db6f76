package dev.besworker.serve;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.intake.WorkerLiveness;

/**
 * The run slots of definitions with {@code max-concurrent-jobs}, counted across every worker of
 * the cluster (the BES service's job queue is shared): slot {@code n} of a definition is a row
 * of {@code BES_WORKER_SLOT} whose primary key is (definition, n), held by one worker while one
 * of its runs goes on. The insert that wins the key takes the slot; the slots of a worker that is
 * no longer alive are freed by the next worker looking for one.
 * <p>
 * Hand-written because a semaphore is what is needed: Spring Integration's JDBC lock registry
 * gives one holder per key and ties each lock to a thread and a time to live; a row per slot,
 * freed with its worker's lease, is simpler and is judged by the same lease as everything else.
 */
public final class ClusterSlots implements RunDispatcher.SharedLimits {

    private static final String TAKE = """
            INSERT INTO BES_WORKER_SLOT (DEFINITION_NAME, SLOT_NO, INSTANCE_ID, TAKEN_AT)
            SELECT ?, ?, ?, ? FROM BES_WORKER_SLOT WHERE DEFINITION_NAME = ? AND SLOT_NO = ? HAVING COUNT(*) = 0
            """;

    private final JdbcTemplate jdbc;
    private final WorkerLiveness workers;
    private final Clock clock;

    public ClusterSlots(JdbcTemplate jdbc, WorkerLiveness workers, Clock clock) {
        this.jdbc = jdbc;
        this.workers = workers;
        this.clock = clock;
    }

    @Override
    public OptionalInt acquire(String definition, int limit) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT SLOT_NO, INSTANCE_ID FROM BES_WORKER_SLOT WHERE DEFINITION_NAME = ?", definition);
        Set<Integer> taken = new HashSet<>();
        for (Map<String, Object> row : rows) {
            int slot = ((Number) row.get("SLOT_NO")).intValue();
            String holder = (String) row.get("INSTANCE_ID");
            if (holder.equals(workers.self()) || workers.isLive(holder)) {
                taken.add(slot);
            }
            else {
                // its worker died while running: the slot is free again
                jdbc.update("DELETE FROM BES_WORKER_SLOT WHERE DEFINITION_NAME = ? AND SLOT_NO = ? AND INSTANCE_ID = ?",
                        definition, slot, holder);
            }
        }
        for (int slot = 0; slot < limit; slot++) {
            if (taken.contains(slot)) {
                continue;
            }
            try {
                if (jdbc.update(TAKE, definition, slot, workers.self(), clock.millis(), definition, slot) == 1) {
                    return OptionalInt.of(slot);
                }
            }
            catch (DuplicateKeyException ex) {
                // another worker took it between our read and our insert
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public void release(String definition, int slot) {
        jdbc.update("DELETE FROM BES_WORKER_SLOT WHERE DEFINITION_NAME = ? AND SLOT_NO = ? AND INSTANCE_ID = ?",
                definition, slot, workers.self());
    }

    /** How many slots of the definition are held now, by any worker. */
    public int held(String definition) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM BES_WORKER_SLOT WHERE DEFINITION_NAME = ?",
                Integer.class, definition);
        return count == null ? 0 : count;
    }
}
