package dev.besworker.secrets;

import java.util.Objects;

/**
 * A value that must never be printed: API keys, subscription keys, account keys, connection
 * strings, SAS tokens. {@link #toString()} is redacted; only {@link #reveal()} gives the value,
 * and the caller takes responsibility for where it goes (an HTTP header, an SDK client).
 * Every secret made through {@link #of(String)} is registered with {@link Redactor} so that a
 * log line or message that carries it anyway is scrubbed.
 */
public final class Secret {

    private static final Secret EMPTY = new Secret("");

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** Wraps a value; null or blank gives the empty secret. */
    public static Secret of(String value) {
        if (value == null || value.isBlank()) {
            return EMPTY;
        }
        Redactor.register(value);
        return new Secret(value);
    }

    /** The empty secret (an optional key that was not given). */
    public static Secret empty() {
        return EMPTY;
    }

    /** The plain value; only for the place that must send it. */
    public String reveal() {
        return value;
    }

    /** Whether no value was given. */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value);
    }

    @Override
    public String toString() {
        return isEmpty() ? "(none)" : "******";
    }
}
