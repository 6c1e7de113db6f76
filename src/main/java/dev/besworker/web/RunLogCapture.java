package dev.besworker.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.secrets.Redactor;

/**
 * Keeps each execution's own log lines for its page: a Logback appender on the root logger takes
 * the events logged with the {@code execution} MDC key (set by {@code RunLogListener} on the
 * run's thread), scrubs them through the {@link Redactor}, and a background thread writes them to
 * {@code BES_WORKER_RUN_LOG} in batches, so that logging never waits for the database. When the
 * database cannot keep up, lines are dropped (counted) rather than slowing runs down.
 */
public class RunLogCapture extends AppenderBase<ILoggingEvent> implements LoggerContextListener {

    /** One captured line. */
    public record Line(Instant at, String level, String thread, String message) {
    }

    static final String MDC_KEY = dev.besworker.pipeline.RunLogListener.EXECUTION;
    private static final int MAX_MESSAGE = 4000;
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(RunLogCapture.class);

    private record Pending(long executionId, long at, String level, String thread, String message) {
    }

    private final JdbcTemplate jdbc;
    private final BlockingQueue<Pending> pending = new ArrayBlockingQueue<>(10_000);
    private volatile long dropped;
    private volatile boolean open;
    private Thread writer;

    public RunLogCapture(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        setName("console-run-log");
    }

    /** Attaches to the root logger and starts writing. */
    public void open() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            log.warn("console: logging is not Logback; runs' log lines are not captured");
            return;
        }
        setContext(context);
        super.start();
        open = true;
        writer = new Thread(this::write, "console-run-log");
        writer.setDaemon(true);
        writer.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(this);
        // Spring Boot resets Logback when another application context starts in this JVM; come back after it.
        context.addListener(this);
    }

    @Override
    public boolean isResetResistant() {
        return true;
    }

    @Override
    public void onReset(LoggerContext context) {
        if (open) {
            if (!isStarted()) {
                super.start();
            }
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(this);
        }
    }

    @Override
    public void onStart(LoggerContext context) {
    }

    @Override
    public void onStop(LoggerContext context) {
    }

    @Override
    public void onLevelChange(Logger logger, Level level) {
    }

    /** Detaches and writes what is left. */
    public void close() {
        open = false;
        if (getContext() instanceof LoggerContext context) {
            context.removeListener(this);
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
        }
        super.stop();
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(2000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        String execution = event.getMDCPropertyMap().get(MDC_KEY);
        if (execution == null) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(execution);
        }
        catch (NumberFormatException ex) {
            return;
        }
        String message = Redactor.scrub(event.getFormattedMessage());
        if (event.getThrowableProxy() != null) {
            message += " (" + Redactor.scrub(event.getThrowableProxy().getClassName() + ": "
                    + event.getThrowableProxy().getMessage()) + ")";
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE - 3) + "...";
        }
        if (!pending.offer(new Pending(id, event.getTimeStamp(), event.getLevel().toString(), event.getThreadName(),
                message))) {
            dropped++;
        }
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        boolean running = true;
        while (running || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(300, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                }
            }
            catch (InterruptedException ex) {
                running = false;
            }
            pending.drainTo(batch, 500);
            if (batch.isEmpty()) {
                continue;
            }
            try {
                jdbc.batchUpdate("INSERT INTO BES_WORKER_RUN_LOG (JOB_EXECUTION_ID, AT_MILLIS, LEVEL, THREAD, MESSAGE)"
                        + " VALUES (?, ?, ?, ?, ?)", batch.stream().map(p -> new Object[] { p.executionId(), p.at(),
                                p.level(), p.thread() == null ? null : p.thread().substring(0, Math.min(100,
                                        p.thread().length())), p.message() }).toList());
            }
            catch (RuntimeException ex) {
                dropped += batch.size();
                if (running) {
                    addWarn("could not store run log lines: " + ex.getMessage());
                }
            }
            batch.clear();
        }
    }

    /** Waits until the lines logged so far are stored (tests, and the page right after a run). */
    public void flush() {
        long deadline = System.currentTimeMillis() + 2000;
        while (!pending.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The stored lines of one execution, oldest first (at most {@code limit}). */
    public List<Line> lines(long executionId, int limit) {
        return jdbc.query("SELECT AT_MILLIS, LEVEL, THREAD, MESSAGE FROM BES_WORKER_RUN_LOG WHERE JOB_EXECUTION_ID = ?"
                + " ORDER BY ID LIMIT ?", (rs, i) -> new Line(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2),
                        rs.getString(3), rs.getString(4)), executionId, limit);
    }

    /** Lines dropped because the database could not keep up or failed. */
    public long dropped() {
        return dropped;
    }
}
