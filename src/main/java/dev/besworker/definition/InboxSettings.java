package dev.besworker.definition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A folder watched for input files ({@code inbox:} in a job definition).
 *
 * @param dir the folder, absolute and normalized
 * @param pattern a glob matched against file names, {@code *.csv} by default
 * @param settle how long a file must stay unchanged before it is taken (so half-copied files are not)
 */
public record InboxSettings(Path dir, String pattern, Duration settle) {

    /** The pattern when the definition gives none. */
    public static final String DEFAULT_PATTERN = "*.csv";

    /** The settle time when the definition gives none. */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(10);

    public InboxSettings {
        Objects.requireNonNull(dir, "dir");
        pattern = pattern == null ? DEFAULT_PATTERN : pattern;
        settle = settle == null ? DEFAULT_SETTLE : settle;
    }
}
