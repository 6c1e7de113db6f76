package dev.besworker.staging;

/**
 * Receives a file's bytes in order while {@link CsvValidator} reads them, so that a second
 * consumer (an upload) shares the one read. Called on the validating thread; the bytes are only
 * valid during the call.
 */
@FunctionalInterface
public interface ChunkSink {

    /**
     * Takes the next bytes of the file.
     *
     * @throws TransferException when the consumer failed; validation ends with it
     */
    void accept(byte[] bytes, int offset, int length);
}
