package dev.besworker.pipeline;

import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Finds the executions of a run identity (definition, input hash, request hash) across all its
 * job instances, forced ones included, newest first: one query instead of loading every
 * instance's parameters.
 */
public class RunIndex {

    private static final String SQL = """
            select e.JOB_EXECUTION_ID from BATCH_JOB_EXECUTION e
            join BATCH_JOB_EXECUTION_PARAMS d on d.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                 and d.PARAMETER_NAME = ? and d.PARAMETER_VALUE = ?
            join BATCH_JOB_EXECUTION_PARAMS i on i.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                 and i.PARAMETER_NAME = ? and i.PARAMETER_VALUE = ?
            join BATCH_JOB_EXECUTION_PARAMS r on r.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                 and r.PARAMETER_NAME = ? and r.PARAMETER_VALUE = ?
            order by e.JOB_EXECUTION_ID desc
            """;

    private final JdbcTemplate jdbc;

    public RunIndex(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The execution with this id, if there is one. Spring Batch 6's JDBC repository throws for
     * an unknown id where earlier versions returned null.
     */
    public static java.util.Optional<org.springframework.batch.core.job.JobExecution> findExecution(
            org.springframework.batch.core.repository.JobRepository repository, long executionId) {
        try {
            return java.util.Optional.ofNullable(repository.getJobExecution(executionId));
        }
        catch (org.springframework.dao.EmptyResultDataAccessException ex) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The execution with this id, or the error the command line shows for an unknown one.
     *
     * @throws IllegalArgumentException when there is none (see {@link #noSuchExecution})
     */
    public static org.springframework.batch.core.job.JobExecution requireExecution(
            org.springframework.batch.core.repository.JobRepository repository, long executionId) {
        return findExecution(repository, executionId).orElseThrow(() -> noSuchExecution(executionId));
    }

    /** The error for an execution id that is not in the job repository. */
    public static IllegalArgumentException noSuchExecution(long executionId) {
        return new IllegalArgumentException("there is no execution " + executionId + " (see 'list')");
    }

    private static final String SAME_SIZE_SQL = """
            select count(*) from BATCH_JOB_EXECUTION_PARAMS d
            join BATCH_JOB_EXECUTION_PARAMS b on b.JOB_EXECUTION_ID = d.JOB_EXECUTION_ID
                 and b.PARAMETER_NAME = ? and b.PARAMETER_VALUE = ?
            where d.PARAMETER_NAME = ? and d.PARAMETER_VALUE = ?
            """;

    /**
     * Whether any execution of the definition had an input of exactly this name and size: a
     * likely repeat of the same work, where staging the file ahead would probably be wasted.
     */
    public boolean hadInputOfSize(String definition, String inputName, long bytes) {
        try {
            Long count = jdbc.queryForObject(SAME_SIZE_SQL, Long.class, RunKeys.inputKey(inputName, RunKeys.BYTES),
                    Long.toString(bytes), RunKeys.DEFINITION, definition);
            return count != null && count > 0;
        }
        catch (org.springframework.dao.DataAccessException ex) {
            return false;
        }
    }

    /** Execution ids of the identity, newest first. */
    public List<Long> executions(RunIdentity identity) {
        return jdbc.queryForList(SQL, Long.class, RunKeys.DEFINITION, identity.definition(), RunKeys.INPUT_SHA256,
                identity.inputSha256(), RunKeys.REQUEST_HASH, identity.requestHash());
    }
}
