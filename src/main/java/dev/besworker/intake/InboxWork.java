package dev.besworker.intake;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file to score from an inbox: one waiting in the inbox (to be claimed when a slot is free),
 * or one already claimed into {@code .processing/}.
 *
 * @param inbox the inbox it belongs to
 * @param file where the file is now
 * @param claimed whether it is already in {@code .processing/}
 * @param resumed whether it was found in {@code .processing/} at start-up (left by an earlier worker),
 *     or taken over from a worker that died
 * @param claim this worker's claim of the file in the database, or null before it is claimed
 */
public record InboxWork(Inbox inbox, Path file, boolean claimed, boolean resumed, InboxClaims.Claim claim) {

    public InboxWork {
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(file, "file");
    }

    /** A file waiting in the inbox. */
    public static InboxWork waiting(Inbox inbox, Path file) {
        return new InboxWork(inbox, file, false, false, null);
    }

    /** A file found in {@code .processing/} unclaimed, or claimed by a worker that died. */
    public static InboxWork leftInProcessing(Inbox inbox, Path file) {
        return new InboxWork(inbox, file, true, true, null);
    }

    /** The same work, now claimed at {@code claimedFile}. */
    public InboxWork claimedAs(Path claimedFile) {
        return new InboxWork(inbox, claimedFile, true, resumed, claim);
    }

    /** The same work under this worker's claim. */
    public InboxWork withClaim(InboxClaims.Claim newClaim) {
        return new InboxWork(inbox, file, claimed, resumed, newClaim);
    }

    public String definition() {
        return inbox.definition();
    }

    public String fileName() {
        return file.getFileName().toString();
    }
}
