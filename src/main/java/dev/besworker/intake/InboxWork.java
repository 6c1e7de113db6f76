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
 * @param resumed whether it was found in {@code .processing/} at start-up (left by an earlier worker)
 */
public record InboxWork(Inbox inbox, Path file, boolean claimed, boolean resumed) {

    public InboxWork {
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(file, "file");
    }

    /** A file waiting in the inbox. */
    public static InboxWork waiting(Inbox inbox, Path file) {
        return new InboxWork(inbox, file, false, false);
    }

    /** A file found in {@code .processing/} at start-up. */
    public static InboxWork leftInProcessing(Inbox inbox, Path file) {
        return new InboxWork(inbox, file, true, true);
    }

    /** The same work, now claimed at {@code claimedFile}. */
    public InboxWork claimedAs(Path claimedFile) {
        return new InboxWork(inbox, claimedFile, true, resumed);
    }

    public String definition() {
        return inbox.definition();
    }

    public String fileName() {
        return file.getFileName().toString();
    }
}
