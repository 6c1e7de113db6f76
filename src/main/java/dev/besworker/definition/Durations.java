package dev.besworker.definition;

import java.time.Duration;

/** The checks definitions make on durations: positive, and one not longer than another. */
final class Durations {

    private Durations() {
    }

    /**
     * The rule of a growing interval ({@code bes.retry}, {@code poll}): all three durations
     * positive, the first not longer than the second. False (reported, after the section's other
     * problems) when broken; absent (null) durations are not checked.
     */
    static boolean requireBackoff(Reading r, String section, String initialKey, Duration initial, String maxKey,
            Duration max, String limitKey, Duration limit) {
        boolean ok = requirePositive(r, section + "." + initialKey, initial)
                & requirePositive(r, section + "." + maxKey, max)
                & requirePositive(r, section + "." + limitKey, limit);
        if (ok && initial != null && max != null) {
            ok = requireOrdered(r, section + "." + initialKey, initial, section + "." + maxKey, max);
        }
        return ok;
    }

    /** False (reported) when the duration is zero or negative; true when it is fine or absent. */
    static boolean requirePositive(Reading r, String path, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            r.crossCheckProblem(path, "must be greater than zero; " + Units.DURATION_FORMS);
            return false;
        }
        return true;
    }

    /** False (reported on {@code lowPath}) when {@code low} is longer than {@code high}. */
    private static boolean requireOrdered(Reading r, String lowPath, Duration low, String highPath, Duration high) {
        if (low.compareTo(high) > 0) {
            r.crossCheckProblem(lowPath, Units.format(low) + " is longer than " + highPath + " (" + Units.format(high)
                    + "); make it shorter or equal");
            return false;
        }
        return true;
    }
}
