package dev.besworker.cluster;

import java.nio.file.Path;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/** A fresh H2 job repository file with the worker's own tables, for the cluster package's tests. */
final class H2Repository {

    private H2Repository() {
    }

    static JdbcTemplate in(Path dir) {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                "jdbc:h2:file:" + dir.resolve("bes-worker"), "sa", "");
        new ResourceDatabasePopulator(new ClassPathResource("db/bes-worker-schema.sql")).execute(dataSource);
        return new JdbcTemplate(dataSource);
    }
}
