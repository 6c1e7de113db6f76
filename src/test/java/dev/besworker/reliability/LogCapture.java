package dev.besworker.reliability;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LoggingSystem;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Collects what the worker logs in this JVM (in-process command lines), as "LEVEL message"
 * lines. Spring Boot would reset logback whenever a worker context starts and stop it when one
 * closes (dropping the collector), so while installed Boot's logging system is switched off:
 * logback keeps the configuration it started with.
 */
final class LogCapture {

    private static final List<String> LINES = new ArrayList<>();
    private static final String NAME = "reliability-capture";

    private LogCapture() {
    }

    static synchronized void install() {
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        // Another test class may have let Spring Boot reset or stop logback since: check both parts.
        if (context.getCopyOfListenerList().stream().noneMatch(listener -> listener instanceof Reattach)) {
            context.addListener(new Reattach());
        }
        if (context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(NAME) == null) {
            attach(context);
        }
    }

    /** Gives logging back to Spring Boot. */
    static synchronized void uninstall() {
        System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
    }

    /** How many lines were captured so far: a mark for {@link #since(int)}. */
    static int mark() {
        synchronized (LINES) {
            return LINES.size();
        }
    }

    /** The lines logged after a mark, one per line. */
    static String since(int mark) {
        synchronized (LINES) {
            return String.join("\n", LINES.subList(Math.min(mark, LINES.size()), LINES.size()));
        }
    }

    private static void attach(LoggerContext context) {
        Collector collector = new Collector();
        collector.setContext(context);
        collector.setName(NAME);
        collector.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(collector);
    }

    private static final class Collector extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            String line = event.getLevel() + " " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " | " + event.getThrowableProxy().getMessage());
            synchronized (LINES) {
                LINES.add(line);
            }
        }
    }

    private static final class Reattach extends ContextAwareBase implements LoggerContextListener {
        @Override
        public boolean isResetResistant() {
            return true;
        }

        @Override
        public void onStart(LoggerContext context) {
        }

        @Override
        public void onReset(LoggerContext context) {
            attach(context);
        }

        @Override
        public void onStop(LoggerContext context) {
        }

        @Override
        public void onLevelChange(Logger logger, Level level) {
        }
    }
}
