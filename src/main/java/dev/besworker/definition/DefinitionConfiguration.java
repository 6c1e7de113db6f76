package dev.besworker.definition;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker's one {@link DefinitionLoader}: this process's environment and working directory.
 * Commands that start no Spring context use {@link DefinitionLoader#forProcess()}, the same
 * loader.
 */
@Configuration(proxyBeanMethods = false)
public class DefinitionConfiguration {

    @Bean
    DefinitionLoader definitionLoader() {
        return DefinitionLoader.forProcess();
    }
}
