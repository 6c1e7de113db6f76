package dev.besworker.web;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.ops.ExecutionOwners;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.OperatorActions;
import dev.besworker.serve.ServeDaemon;
import dev.besworker.serve.ServeDefinitions;

/**
 * The operator console, present only when {@code serve} serves HTTP: its security, pages, API,
 * actions, audit and the capture of each run's log lines. Its settings (session timeout, health
 * details, the OpenAPI path) are in {@code console.properties}, under the user's own.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(ConsoleProperties.class)
@PropertySource("classpath:dev/besworker/web/console.properties")
@Import({ ConsoleSecurityConfiguration.class, ConsoleApi.class, ConsoleErrors.class, ConsolePages.class })
public class ConsoleConfiguration {

    @Bean
    ActionAudit actionAudit(JdbcTemplate jdbcTemplate) {
        return new ActionAudit(jdbcTemplate);
    }

    @Bean(initMethod = "open", destroyMethod = "close")
    RunLogCapture runLogCapture(JdbcTemplate jdbcTemplate) {
        return new RunLogCapture(jdbcTemplate);
    }

    @Bean
    ExecutionSearch executionSearch(JdbcTemplate jdbcTemplate) {
        return new ExecutionSearch(jdbcTemplate);
    }

    @Bean
    InboxFiles inboxFiles(ServeDefinitions serveDefinitions) {
        return new InboxFiles(serveDefinitions);
    }

    @Bean
    ConsoleActions consoleActions(JobRepository jobRepository, ExecutionOwners executionOwners,
            OperatorActions operatorActions, InboxFiles inboxFiles, ActionAudit actionAudit,
            ObjectProvider<ServeDaemon> serveDaemon) {
        return new ConsoleActions(jobRepository, executionOwners, operatorActions, inboxFiles, actionAudit,
                serveDaemon);
    }

    @Bean
    ConsoleViews consoleViews(ExecutionSearch executionSearch, ExecutionReports executionReports,
            JobRepository jobRepository, RunLogCapture runLogCapture, ActionAudit actionAudit,
            ConsoleActions consoleActions, InboxFiles inboxFiles, ServeDefinitions serveDefinitions) {
        return new ConsoleViews(executionSearch, executionReports, jobRepository, runLogCapture, actionAudit,
                consoleActions, inboxFiles, serveDefinitions);
    }
}
