package dev.besworker.staging;

/**
 * Receives progress of a read, an upload or a download. Calls may come from several threads but
 * never at once, and {@code bytesDone} never decreases within one transfer.
 */
@FunctionalInterface
public interface TransferListener {

    /** Ignores all progress. */
    TransferListener NONE = (bytesDone, bytesTotal) -> { };

    /**
     * @param bytesDone bytes handled so far
     * @param bytesTotal the total, or -1 when unknown
     */
    void progress(long bytesDone, long bytesTotal);
}
