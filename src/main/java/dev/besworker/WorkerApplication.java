package dev.besworker;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

import dev.besworker.definition.DefinitionConfiguration;
import dev.besworker.staging.TransferProperties;
import org.springframework.context.annotation.Import;

import dev.besworker.ops.OpsConfiguration;
import dev.besworker.pipeline.ScoringJobConfiguration;
import dev.besworker.web.OperationsPageConfiguration;

/**
 * The worker's Spring application: the JDBC job repository (Boot's auto-configuration), the
 * scoring job and the operations beans. Configured explicitly rather than by scanning, for a
 * quick start.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableConfigurationProperties({ WorkerProperties.class, TransferProperties.class })
@Import({ DefinitionConfiguration.class, ScoringJobConfiguration.class, OpsConfiguration.class, OperationsPageConfiguration.class })
public class WorkerApplication {
}
