package dev.besworker.emulator;

/**
 * A module of the emulated experiment failed on its input (missing blob, missing column,
 * unparseable CSV, unwritable output). {@link #details()} is the text a Failed job reports in
 * its status {@code Details}, in the module-level shape classic services used:
 * {@code Module: Reader; ModuleExecutionError; taskStatusCode=400; Error 0030: ...}.
 * Messages never carry credentials.
 */
public class ModuleException extends RuntimeException {

    private final String module;
    private final String errorNumber;
    private final int taskStatusCode;

    /**
     * @param module         the failing module, e.g. "Reader", "Feature Hashing", "Writer"
     * @param errorNumber    the four-digit module error number, e.g. "0030"
     * @param taskStatusCode 400 for the user's input, 500 for the emulator's own fault
     * @param message        what went wrong and, where it helps, how to fix it
     */
    public ModuleException(String module, String errorNumber, int taskStatusCode, String message) {
        super(message);
        this.module = module;
        this.errorNumber = errorNumber;
        this.taskStatusCode = taskStatusCode;
    }

    /** The failing module's name. */
    public String module() {
        return module;
    }

    /** The module error number, e.g. "0001". */
    public String errorNumber() {
        return errorNumber;
    }

    /** The task status code the details carry. */
    public int taskStatusCode() {
        return taskStatusCode;
    }

    /** The job status Details text. */
    public String details() {
        return "Module: " + module + "; ModuleExecutionError: Module execution encountered an error. taskStatusCode="
                + taskStatusCode + "; Error " + errorNumber + ": " + getMessage();
    }
}
