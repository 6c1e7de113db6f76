package dev.besworker.pipeline;

/**
 * Names shared by the scoring job, its launcher and the operations commands: job parameters
 * and the namespaced keys of the job's ExecutionContext. Nothing secret is ever stored under
 * any of them: connection strings, keys and SAS tokens are derived again when needed.
 */
public final class RunKeys {

    /** The one Spring Batch job name. */
    public static final String JOB_NAME = "besScoring";

    // Identifying job parameters: together they are a run's identity.
    public static final String DEFINITION = "definition";
    public static final String INPUT_SHA256 = "input.sha256";
    public static final String REQUEST_HASH = "request.hash";
    public static final String NONCE = "nonce";

    // Non-identifying job parameters, per input name: input.<name>.path and so on.
    public static final String INPUT_PREFIX = "input.";
    public static final String PATH = ".path";
    public static final String SHA256 = ".sha256";
    public static final String MD5 = ".md5";
    public static final String BYTES = ".bytes";
    public static final String ROWS = ".rows";
    public static final String MTIME = ".mtime";
    /** Blocks staged while the launcher validated the input (see {@code PrestagedBlocks#encode}). */
    public static final String PRESTAGED = ".prestaged";
    public static final String OUTPUT_DIR = "output.dir";
    public static final String PARAM_PREFIX = "param.";

    // Job ExecutionContext keys.
    /** UTC date (yyyy-MM-dd) of the first execution; blob names use it so that restarts find them. */
    public static final String RUN_DATE = "bes.runDate";
    /** Prefix of the staging blob name per input: staging.blob.&lt;input&gt;. */
    public static final String STAGING_BLOB = "staging.blob.";
    /** Prefix of the output blob name per output: staging.output.&lt;output&gt;. */
    public static final String STAGING_OUTPUT = "staging.output.";
    public static final String BES_JOB_ID = "bes.jobId";
    public static final String BES_STARTED = "bes.started";
    public static final String BES_SUBMISSIONS = "bes.submissions";
    public static final String BES_LAST_STATE = "bes.lastState";
    /** Prefix of the final local path per output: download.output.&lt;output&gt;. */
    public static final String DOWNLOADED = "download.output.";
    public static final String CLEANED = "cleanup.done";

    private RunKeys() {
    }

    public static String inputKey(String inputName, String suffix) {
        return INPUT_PREFIX + inputName + suffix;
    }
}
