package dev.besworker.web;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import dev.besworker.ops.ExecutionOwners;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.runs.ScoringRuns;

/**
 * The operators' web page and its JSON twin, present only when the worker serves HTTP
 * ({@code serve}): {@code /executions}, {@code /executions/{id}} and {@code /api/executions}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class OperationsPageConfiguration {

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService operationsPageRestarts() {
        return Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "page-restart");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    RouterFunction<ServerResponse> operationsPageRoutes(ExecutionReports reports, ExecutionOwners owners,
            ScoringRuns runs, ExecutorService operationsPageRestarts) {
        OperationsPage page = new OperationsPage(reports, owners, runs, operationsPageRestarts);
        return RouterFunctions.route()
                .GET("/", request -> ServerResponse.temporaryRedirect(java.net.URI.create("/executions")).build())
                .GET("/executions", page::list)
                .GET("/executions/{id}", page::show)
                .POST("/executions/{id}/restart", page::restart)
                .POST("/executions/{id}/stop", page::stop)
                .GET("/api/executions", page::apiList)
                .GET("/api/executions/{id}", page::apiShow)
                .build();
    }
}
