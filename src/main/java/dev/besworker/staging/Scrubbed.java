package dev.besworker.staging;

import dev.besworker.secrets.Redactor;

/**
 * A stand-in for a third-party exception whose message may carry a secret (the storage SDK puts
 * request URLs, and with them SAS signatures, into its messages): same class name in the text,
 * same stack trace, scrubbed message, scrubbed cause chain.
 */
final class Scrubbed extends RuntimeException {

    private Scrubbed(String message, Throwable cause) {
        super(message, cause);
    }

    /** A scrubbed copy of {@code original} and its causes; null stays null. */
    static Throwable copyOf(Throwable original) {
        return copyOf(original, 0);
    }

    private static Throwable copyOf(Throwable original, int depth) {
        if (original == null || depth > 10) {
            return null;
        }
        if (original instanceof Scrubbed || original instanceof TransferException) {
            return original;
        }
        Throwable cause = original.getCause() == original ? null : copyOf(original.getCause(), depth + 1);
        String text = original.getClass().getName()
                + (original.getMessage() == null ? "" : ": " + Redactor.scrub(original.getMessage()));
        Scrubbed copy = new Scrubbed(text, cause);
        copy.setStackTrace(original.getStackTrace());
        return copy;
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
