package dev.besworker.intake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.metadata.ConcurrentMetadataStore;

/**
 * Claims of inbox files in the shared database, so that each file is scored by exactly one worker
 * of the cluster, also when the inbox sits on a network file system whose renames cannot be
 * trusted to be atomic between machines (NFS, SMB, Azure Files).
 * <p>
 * A claim is an entry of Spring Integration's {@link ConcurrentMetadataStore} (a
 * {@code JdbcMetadataStore} on the job repository): the key names the definition, the file name,
 * its size and its modification time (which a rename into {@code .processing/} keeps); the value
 * names the claiming worker's instance id and the time. {@code putIfAbsent} is the claim: the
 * insert that wins the primary key claims the file, the others skip it. A claim of a worker that
 * is no longer alive is taken over with {@code replace} (compare-and-set on the old value), so
 * that of several live workers exactly one takes it.
 */
public final class InboxClaims {

    private static final Logger log = LoggerFactory.getLogger(InboxClaims.class);

    /** The metadata store's primary key column holds 255 characters. */
    private static final int MAX_KEY = 255;

    /**
     * A claim held by this worker.
     *
     * @param key the store's key
     * @param value the value this worker wrote
     * @param takenOverFrom the instance id of the dead worker it was taken from, or null
     */
    public record Claim(String key, String value, String takenOverFrom) {
    }

    /** Who holds a file's claim now, if anyone. */
    public record Holder(String instanceId, String claimedAt) {

        static Holder parse(String value) {
            int space = value.indexOf(' ');
            return space < 0 ? new Holder(value, "") : new Holder(value.substring(0, space), value.substring(space + 1));
        }
    }

    private final ConcurrentMetadataStore store;
    private final WorkerLiveness workers;
    private final Clock clock;

    public InboxClaims(ConcurrentMetadataStore store, WorkerLiveness workers, Clock clock) {
        this.store = store;
        this.workers = workers;
        this.clock = clock;
    }

    /** This worker's instance id. */
    public String self() {
        return workers.self();
    }

    /**
     * Claims a file for this worker: when nobody holds it, or when its holder is dead. A claim
     * held by a live worker, this one included (it is scoring the file now), is left alone.
     *
     * @return the claim, or empty when another worker (or this one, already) holds the file
     */
    public Optional<Claim> claim(Inbox inbox, Path file) throws IOException {
        String key = key(inbox, file);
        String mine = workers.self() + " " + clock.instant();
        String existing = store.putIfAbsent(key, mine);
        if (existing == null) {
            return Optional.of(new Claim(key, mine, null));
        }
        Holder holder = Holder.parse(existing);
        if (holder.instanceId().equals(workers.self()) || workers.isLive(holder.instanceId())) {
            return Optional.empty();
        }
        if (!store.replace(key, existing, mine)) {
            // another live worker took it over first
            return Optional.empty();
        }
        log.info("inbox {}: {} was claimed by worker {} at {}, which is gone; taken over", inbox.definition(),
                file.getFileName(), holder.instanceId(), holder.claimedAt());
        return Optional.of(new Claim(key, mine, holder.instanceId()));
    }

    /** Who holds a file now, if anyone. */
    public Optional<Holder> holder(Inbox inbox, Path file) throws IOException {
        String value = store.get(key(inbox, file));
        return Optional.ofNullable(value).map(Holder::parse);
    }

    /** Whether a file's claim is free or held by a dead worker: work another live worker may take. */
    public boolean claimable(Inbox inbox, Path file) throws IOException {
        Optional<Holder> holder = holder(inbox, file);
        return holder.isEmpty()
                || !holder.get().instanceId().equals(workers.self()) && !workers.isLive(holder.get().instanceId());
    }

    /**
     * Whether this worker still holds its claim. A worker paused longer than its lease (GC,
     * SIGSTOP, a frozen VM) may find its claim taken over: it must then leave the file alone.
     */
    public boolean holds(Claim claim) {
        return claim.value().equals(store.get(claim.key()));
    }

    /**
     * Moves a claim to the name a file is about to be renamed to (before the rename, so that the
     * file is never unclaimed).
     */
    public Claim rename(Claim claim, Inbox inbox, Path file, Path renamedFile) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        String key = key(inbox.definition(), renamedFile.getFileName().toString(), attributes);
        if (key.equals(claim.key())) {
            return claim;
        }
        String existing = store.putIfAbsent(key, claim.value());
        if (existing != null && !existing.equals(claim.value())) {
            throw new IOException("the name " + renamedFile.getFileName() + " is claimed by another worker");
        }
        release(claim);
        return new Claim(key, claim.value(), claim.takenOverFrom());
    }

    /** Gives a claim up (the file reached its final folder, or was left for anyone to resume). */
    public void release(Claim claim) {
        // remove() is unconditional: callers check holds() first, and a claim taken over meanwhile
        // would name the same file, which has then already left .processing/.
        store.remove(claim.key());
    }

    /**
     * The key of a file: definition, name, size and modification time (kept by a rename), or
     * their SHA-256 when that would not fit the store's key column.
     */
    static String key(Inbox inbox, Path file) throws IOException {
        return key(inbox.definition(), file.getFileName().toString(),
                Files.readAttributes(file, BasicFileAttributes.class));
    }

    private static String key(String definition, String name, BasicFileAttributes attributes) {
        String key = definition + "/" + name + "/" + attributes.size() + "/" + attributes.lastModifiedTime().toMillis();
        if (key.length() <= MAX_KEY) {
            return key;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
