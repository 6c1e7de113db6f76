package dev.besworker;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

import dev.besworker.staging.TransferProperties;
import org.springframework.context.annotation.Import;

import dev.besworker.cluster.ClusterConfiguration;
import dev.besworker.ops.OpsConfiguration;
import dev.besworker.pipeline.ScoringJobConfiguration;
import dev.besworker.web.ConsoleConfiguration;

/**
 * The worker's Spring application: the JDBC job repository (Boot's auto-configuration), the
 * scoring job and the operations beans. Configured explicitly rather than by scanning, for a
 * quick start.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableConfigurationProperties({ WorkerProperties.class, TransferProperties.class })
@Import({ ScoringJobConfiguration.class, ClusterConfiguration.class, OpsConfiguration.class, ConsoleConfiguration.class })
public class WorkerApplication {
}
