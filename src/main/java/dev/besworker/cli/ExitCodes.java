package dev.besworker.cli;

import dev.besworker.bes.BesException;
import dev.besworker.definition.DefinitionException;
import dev.besworker.pipeline.OwnedExecutionException;
import dev.besworker.staging.InputRejectedException;

/** The documented exit codes, and which failure maps to which. */
public final class ExitCodes {

    public static final int COMPLETED = 0;
    public static final int FAILED = 1;
    public static final int CONFIGURATION = 2;
    public static final int INPUT_REJECTED = 3;
    public static final int OWNED_BY_LIVE_PROCESS = 4;

    private ExitCodes() {
    }

    /** The exit code for a failure anywhere in its cause chain. */
    static int of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InputRejectedException) {
                return INPUT_REJECTED;
            }
            if (cause instanceof DefinitionException || cause instanceof IllegalArgumentException) {
                return CONFIGURATION;
            }
            if (cause instanceof OwnedExecutionException) {
                return OWNED_BY_LIVE_PROCESS;
            }
            if (cause instanceof BesException bes && (bes.isAuthFailure() || bes.isNotFound()
                    || (bes.httpStatus() == 400 && !"CannotStartJob".equals(bes.errorCode())))) {
                return CONFIGURATION;
            }
        }
        return FAILED;
    }
}
