package dev.besworker.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.boot.batch.jdbc.autoconfigure.BatchDataSourceScriptDatabaseInitializer;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcProperties;
import org.springframework.core.io.Resource;

/**
 * Spring Batch's schema script, run only when something it creates is missing, under the schema
 * lock on PostgreSQL. Boot runs it at every start ({@code spring.batch.jdbc.initialize-schema:
 * always}), and its {@code CREATE TABLE} and {@code CREATE SEQUENCE} statements, which have no
 * {@code IF NOT EXISTS}, fail on an existing repository: Boot ignores those failures, but each
 * one is recorded, as nine errors with their stack traces in H2's trace file at every command
 * (about 25 KB each time; 12 MB after 480 commands) and nine {@code ERROR} lines in PostgreSQL's
 * server log at every worker start. What the script creates is read from the script itself (the
 * one Boot picked for the database), so an object a later Spring Batch adds is still created.
 * Hand-written because Boot has no "create what is missing" for Spring Batch's schema.
 */
final class BatchSchemaInitializer extends BatchDataSourceScriptDatabaseInitializer {

    private static final Pattern CREATE = Pattern.compile(
            "\\bCREATE\\s+(?:TABLE|SEQUENCE)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([A-Za-z0-9_]+)", Pattern.CASE_INSENSITIVE);

    /** Tables and sequences of the current schema, upper-cased (H2 keeps names upper-case, PostgreSQL lower-case). */
    private static final String EXISTING = "SELECT UPPER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES"
            + " WHERE UPPER(TABLE_SCHEMA) = UPPER(CURRENT_SCHEMA)"
            + " UNION SELECT UPPER(SEQUENCE_NAME) FROM INFORMATION_SCHEMA.SEQUENCES"
            + " WHERE UPPER(SEQUENCE_SCHEMA) = UPPER(CURRENT_SCHEMA)";

    BatchSchemaInitializer(DataSource dataSource, BatchJdbcProperties properties) {
        super(dataSource, properties);
    }

    @Override
    protected void runScripts(Scripts scripts) {
        LockedSchemaInitializer.underSchemaLock(getDataSource(), () -> {
            if (!complete(scripts)) {
                super.runScripts(scripts);
            }
        });
    }

    /**
     * Whether everything the scripts create exists. Not when a script cannot be read or creates
     * nothing recognisable: the scripts then run, and Boot reports what it cannot do.
     */
    private boolean complete(Scripts scripts) {
        try {
            Set<String> created = created(scripts);
            return !created.isEmpty() && existing().containsAll(created);
        }
        catch (IOException ex) {
            return false;
        }
    }

    /** The tables and sequences the scripts create, upper-cased. */
    private static Set<String> created(Scripts scripts) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (Resource script : scripts) {
            Matcher create = CREATE.matcher(script.getContentAsString(
                    scripts.getEncoding() != null ? scripts.getEncoding() : StandardCharsets.UTF_8));
            while (create.find()) {
                names.add(create.group(1).toUpperCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** What exists; empty where the database cannot say (the scripts then run, as Boot's would). */
    private Set<String> existing() {
        Set<String> names = new HashSet<>();
        try (Connection connection = getDataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(EXISTING)) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        catch (SQLException ex) {
            names.clear();
        }
        return names;
    }
}
