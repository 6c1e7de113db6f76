package dev.besworker.serve;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Keeps the web server, actuator, health and metrics auto-configurations, and the task, Jackson,
 * AOP and validation ones that only serve uses, out of every command but {@code serve}: the
 * one-shot commands ({@code run}, {@code list}, ...) have no use for them, and skipping them by
 * name, before any of their classes is loaded, keeps those commands' start-up quick. {@code serve} sets
 * {@value #SERVE_PROPERTY}{@code =serve}.
 */
public class ServeOnlyAutoConfigurations implements AutoConfigurationImportFilter, EnvironmentAware {

    /** The property that {@code serve} sets to {@code serve}. */
    public static final String SERVE_PROPERTY = "besworker.mode";

    private static final List<String> SERVE_ONLY = List.of(
            "org.springframework.boot.actuate.",
            "org.springframework.boot.health.",
            "org.springframework.boot.micrometer.",
            "org.springframework.boot.webmvc.",
            "org.springframework.boot.tomcat.",
            "org.springframework.boot.servlet.",
            "org.springframework.boot.http.converter.",
            "org.springframework.boot.jdbc.autoconfigure.health.",
            "org.springframework.boot.jdbc.autoconfigure.metrics.",
            "org.springframework.boot.batch.autoconfigure.observation.",
            // Used by serve (the inbox's scheduler, the page's JSON, method validation), not by the
            // one-shot commands: their settings are validated by the binder without it. Leaving them
            // out saves about 0.2 s of each run's start-up (bench case 5).
            "org.springframework.boot.autoconfigure.aop.",
            "org.springframework.boot.autoconfigure.task.",
            "org.springframework.boot.autoconfigure.info.",
            "org.springframework.boot.jackson.",
            "org.springframework.boot.validation.",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            // The operator console (web): logins, its pages' templates, its API's OpenAPI description.
            "org.springframework.boot.security.", "org.springframework.boot.thymeleaf.", "org.springdoc.");

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
        boolean serve = environment != null && "serve".equals(environment.getProperty(SERVE_PROPERTY));
        boolean[] matches = new boolean[autoConfigurationClasses.length];
        for (int i = 0; i < autoConfigurationClasses.length; i++) {
            String name = autoConfigurationClasses[i];
            matches[i] = serve || name == null || SERVE_ONLY.stream().noneMatch(name::startsWith);
        }
        return matches;
    }
}
