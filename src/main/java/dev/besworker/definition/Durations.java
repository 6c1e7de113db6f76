package dev.besworker.definition;

import java.time.Duration;

/** The checks definitions make on durations: positive, and one not longer than another. */
final class Durations {

    private Durations() {
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
    static boolean requireOrdered(Reading r, String lowPath, Duration low, String highPath, Duration high) {
        if (low.compareTo(high) > 0) {
            r.crossCheckProblem(lowPath, Units.format(low) + " is longer than " + highPath + " (" + Units.format(high)
                    + "); make it shorter or equal");
            return false;
        }
        return true;
    }
}
