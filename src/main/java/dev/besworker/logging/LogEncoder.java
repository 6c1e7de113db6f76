package dev.besworker.logging;

import java.util.Locale;
import java.util.Objects;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;

/**
 * The encoder of both log outputs in {@code logback.xml}: the redacting text pattern, or, when
 * {@code logging.structured.format.<output>} names a structured format ({@code ecs},
 * {@code logstash}, {@code gelf}), Spring Boot's {@link StructuredLogEncoder} (JSON, one
 * object a line, secrets redacted by {@link RedactingJsonMembers}).
 * <p>
 * Hand-written because Boot's encoder needs a Spring {@code Environment} in the logger context,
 * which Boot puts there only once an application context starts; the command line logs before
 * that, and {@code emulator} never starts one. Until then a standard environment (system
 * properties and environment variables, e.g. {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs})
 * stands in; once Boot takes over logging it reloads the configuration with its own (and so
 * {@code application.yml} or {@code --logging.structured.format.console=ecs} apply from there).
 */
public class LogEncoder extends EncoderBase<ILoggingEvent> {

    private String output = "console";
    private String pattern;
    private String structuredFormat;
    private volatile Encoder<ILoggingEvent> delegate;

    /** {@code console} or {@code file}: which {@code logging.structured.format.*} property applies. */
    public void setOutput(String output) {
        this.output = output;
    }

    /** The text pattern, used when no structured format is chosen. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        String format = format();
        if (format.isEmpty()) {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(Objects.requireNonNull(pattern, "pattern"));
            text.setContext(getContext());
            text.start();
            delegate = text;
        }
        else {
            structuredFormat = format;
        }
        super.start();
    }

    /** The structured format chosen for this output, or empty: from Boot's environment once there, else -D or the environment. */
    private String format() {
        String property = "logging.structured.format." + output;
        String format;
        if (getContext().getObject(Environment.class.getName()) instanceof Environment environment) {
            format = environment.getProperty(property);
        }
        else {
            format = System.getProperty(property, System.getenv(property.replace('.', '_').toUpperCase(Locale.ROOT)));
        }
        return format == null ? "" : format.strip();
    }

    /**
     * Boot's encoder, made at the first line rather than at start: a Spring environment logs as it
     * is made, which logback cannot serve while it is still reading its configuration.
     */
    private synchronized Encoder<ILoggingEvent> structured() {
        if (delegate == null) {
            if (!(getContext().getObject(Environment.class.getName()) instanceof Environment)) {
                getContext().putObject(Environment.class.getName(), new StandardEnvironment());
            }
            StructuredLogEncoder json = new StructuredLogEncoder();
            json.setFormat(structuredFormat);
            json.setContext(getContext());
            json.start();
            delegate = json;
        }
        return delegate;
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return structuredFormat != null ? null : delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Encoder<ILoggingEvent> encoder = delegate;
        return (encoder != null ? encoder : structured()).encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return structuredFormat != null ? null : delegate.footerBytes();
    }
}
