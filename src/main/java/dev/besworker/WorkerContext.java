package dev.besworker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * The one way the worker's Spring context is built, for a one-shot command ({@code run},
 * {@code list}, ...) and for {@code serve}. Both start {@link WorkerApplication}; a command gets
 * only the auto-configurations it names, {@code serve} gets every auto-configuration on the class
 * path ({@link AllAutoConfigurations}: web server, actuator, metrics, Jackson, tasks, validation,
 * ...) plus its own beans. Spring's shutdown hook is never registered: signals are the worker's
 * own (a hook would close the job repository under a running job).
 */
public final class WorkerContext {

    private WorkerContext() {
    }

    /** Every auto-configuration on the class path: {@code serve}'s, on top of the command's. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class AllAutoConfigurations {
    }

    /** A one-shot command's context: no web server, the job repository under {@code dataDir}. */
    public static ConfigurableApplicationContext command(Path dataDir, Path jobsDir) {
        SpringApplication application = application(WorkerApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(folders(dataDir, jobsDir).toArray(String[]::new));
    }

    /**
     * {@code serve}'s context.
     *
     * @param defaults properties below the application's configuration
     * @param arguments further {@code --key=value} properties, over it
     * @param serveSources the configuration classes only serve has
     */
    public static ConfigurableApplicationContext serve(Path dataDir, Path jobsDir, Map<String, Object> defaults,
            List<String> arguments, Class<?>... serveSources) {
        List<Class<?>> sources = new ArrayList<>(List.of(WorkerApplication.class, AllAutoConfigurations.class));
        sources.addAll(List.of(serveSources));
        SpringApplication application = application(sources.toArray(Class<?>[]::new));
        application.setDefaultProperties(defaults);
        List<String> args = folders(dataDir, jobsDir);
        args.addAll(arguments);
        return application.run(args.toArray(String[]::new));
    }

    private static SpringApplication application(Class<?>... sources) {
        SpringApplication application = new SpringApplication(sources);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setRegisterShutdownHook(false);
        return application;
    }

    private static List<String> folders(Path dataDir, Path jobsDir) {
        return new ArrayList<>(List.of("--besworker.data-dir=" + dataDir.toAbsolutePath().normalize(),
                "--besworker.jobs-dir=" + jobsDir.toAbsolutePath().normalize()));
    }
}
