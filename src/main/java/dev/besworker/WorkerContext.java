package dev.besworker;

import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.aot.AotDetector;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The one way the worker's Spring context is built, for a one-shot command ({@code run},
 * {@code list}, ...) and for {@code serve}. Both start {@link WorkerApplication}; a command gets
 * only the auto-configurations it names, {@code serve} gets every auto-configuration on the class
 * path ({@link AllAutoConfigurations}: web server, actuator, metrics, Jackson, tasks, validation,
 * ...) plus its own beans. Spring's shutdown hook is never registered: signals are the worker's
 * own (a hook would close the job repository under a running job).
 */
public final class WorkerContext {

    private static final String INITIALIZER = "WorkerContext__ApplicationContextInitializer.class";

    private WorkerContext() {
    }

    /** Every auto-configuration on the class path: {@code serve}'s, on top of the command's. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class AllAutoConfigurations {
    }

    /**
     * A one-shot command's context: no web server, the job repository under {@code dataDir}.
     * From the packaged jar it is the context the build prepared ({@link #main}); see
     * {@link #preparedByBuild()}.
     */
    public static ConfigurableApplicationContext command(Path dataDir, Path jobsDir) {
        return command(dataDir, jobsDir, () -> { });
    }

    /**
     * As {@link #command(Path, Path)}; {@code loggingReady} runs on the starting thread as soon as
     * Spring Boot has configured logging, before the context is built: work begun beside the start
     * from then on logs into the configured appenders. (Boot resets Logback while it configures it;
     * a message logged by another thread meanwhile is lost, and Logback prints "No appenders
     * present" on stderr.)
     */
    public static ConfigurableApplicationContext command(Path dataDir, Path jobsDir, Runnable loggingReady) {
        SpringApplication application = application(WorkerApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.addListeners(new LoggingReady(loggingReady));
        if (preparedByBuild()) {
            System.setProperty(AotDetector.AOT_ENABLED, "true");
            application.setMainApplicationClass(WorkerContext.class);
        }
        return application.run(folders(dataDir, jobsDir).toArray(String[]::new));
    }

    /**
     * The build's Spring AOT step ({@code process-aot} in the pom) runs this to prepare the
     * one-shot commands' context: their bean definitions become generated code
     * ({@code WorkerContext__ApplicationContextInitializer} and its companions, in the jar), so a
     * command no longer parses the configuration classes and evaluates their conditions at every
     * start (0.3 s of the main thread's wall-clock profile; measured end to end, about 0.1 s of the
     * 2.2 s from launch to the first BES request and 0.25 s of CPU, since much of what the parsing
     * cost was loading classes the beans need anyway: README, "Performance"). Conditions are therefore decided at build time; the worker's
     * depend only on the class path, except the data source's kind and the SQL initialization,
     * which the build decides as {@code application.yml} does (pooled; scripts always run).
     * Properties (the database URL, the folders, every {@code besworker.*} key) are still read at
     * start.
     */
    public static void main(String[] args) {
        command(Path.of(args[0]), Path.of(args[1]));
    }

    /**
     * Whether the context comes from the build's generated code: when the generated initializer
     * is in a jar (the packaged worker, where the same build made it from the same classes), not
     * in a classes folder, which may keep one from an earlier build while the code changed under
     * it; and unless {@code -Dspring.aot.enabled=false} asks to build the context at start.
     */
    static boolean preparedByBuild() {
        String asked = System.getProperty(AotDetector.AOT_ENABLED);
        if ("false".equalsIgnoreCase(asked)) {
            return false;
        }
        URL initializer = WorkerContext.class.getResource(INITIALIZER);
        return initializer != null && "jar".equals(initializer.getProtocol());
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

    /** Runs its task once the environment is prepared, right after Boot's logging listener has configured logging. */
    private record LoggingReady(Runnable task) implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

        @Override
        public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
            task.run();
        }

        @Override
        public int getOrder() {
            return LoggingApplicationListener.DEFAULT_ORDER + 1;
        }
    }

    private static List<String> folders(Path dataDir, Path jobsDir) {
        return new ArrayList<>(List.of("--besworker.data-dir=" + dataDir.toAbsolutePath().normalize(),
                "--besworker.jobs-dir=" + jobsDir.toAbsolutePath().normalize()));
    }
}
