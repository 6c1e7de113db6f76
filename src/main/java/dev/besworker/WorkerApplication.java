package dev.besworker;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.PersistenceExceptionTranslationAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.context.annotation.Import;

import dev.besworker.cluster.ClusterConfiguration;
import dev.besworker.definition.DefinitionConfiguration;
import dev.besworker.ops.OpsConfiguration;
import dev.besworker.pipeline.ScoringJobConfiguration;
import dev.besworker.runs.RunsConfiguration;
import dev.besworker.staging.TransferProperties;
import dev.besworker.web.ConsoleConfiguration;

/**
 * The worker's Spring application: the JDBC job repository, the scoring job and the operations
 * beans. Configured explicitly rather than by scanning, for a quick start. The one-shot commands
 * get only the auto-configurations named here (by class: what the job repository needs);
 * {@code serve} adds all the others ({@link WorkerContext}). Built by {@link WorkerContext}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ PropertyPlaceholderAutoConfiguration.class, ConfigurationPropertiesAutoConfiguration.class,
        DataSourceAutoConfiguration.class, DataSourceInitializationAutoConfiguration.class,
        DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
        TransactionAutoConfiguration.class, TransactionManagerCustomizationAutoConfiguration.class,
        PersistenceExceptionTranslationAutoConfiguration.class, BatchAutoConfiguration.class,
        BatchJdbcAutoConfiguration.class })
@EnableConfigurationProperties({ WorkerProperties.class, TransferProperties.class })
@Import({ DefinitionConfiguration.class, ScoringJobConfiguration.class, RunsConfiguration.class,
        ClusterConfiguration.class, OpsConfiguration.class, ConsoleConfiguration.class })
public class WorkerApplication {
}
