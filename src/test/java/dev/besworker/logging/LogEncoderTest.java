package dev.besworker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.CoreConstants;

import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.besworker.secrets.Redactor;
import dev.besworker.secrets.Secret;

/** Both log outputs: text by default, Boot's JSON when a structured format is chosen, secrets masked in either. */
class LogEncoderTest {

    private static final Secret CANARY = Secret.of("canary-log-secret-5f1e2d3c4b5a");

    private static LoggerContext context(Map<String, Object> properties) {
        LoggerContext context = new LoggerContext();
        // as the conversionRule elements of logback.xml declare them
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, new HashMap<>(Map.of(
                "redactedMessage", RedactingMessageConverter.class.getName(),
                "redactedException", RedactingThrowableConverter.class.getName())));
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        context.putObject(Environment.class.getName(), environment);
        return context;
    }

    private static String encode(LoggerContext context, String output, Throwable failure) {
        LogEncoder encoder = new LogEncoder();
        encoder.setContext(context);
        encoder.setOutput(output);
        encoder.setPattern("%level %redactedMessage%n%redactedException");
        encoder.start();
        Logger logger = context.getLogger("run");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
                "upload with key {} failed", failure, new Object[] {CANARY.reveal()});
        event.setMDCPropertyMap(Map.of("execution", "42", "definition", "nightly"));
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void withoutAStructuredFormat_linesAreTheRedactedPattern() {
        // given no logging.structured.format.console
        LoggerContext context = context(Map.of());

        // when
        String line = encode(context, "console", new IllegalStateException("refused " + CANARY.reveal()));

        // then
        assertThat(line).startsWith("WARN upload with key " + Redactor.MASK + " failed")
                .contains("IllegalStateException: refused " + Redactor.MASK)
                .doesNotContain(CANARY.reveal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecs", "logstash", "gelf"})
    void withAStructuredFormat_linesAreJson_withTheRunsFields_andNoSecret(String format) {
        // given
        LoggerContext context = context(Map.of("logging.structured.format.file", format));

        // when
        String line = encode(context, "file", new IllegalStateException("refused " + CANARY.reveal()));

        // then
        assertThat(line).startsWith("{").contains("upload with key " + Redactor.MASK + " failed")
                .contains("refused " + Redactor.MASK)
                .contains("42", "nightly")
                .doesNotContain(CANARY.reveal());
        if (!format.equals("gelf")) {
            assertThat(line).contains("\"execution\":\"42\"", "\"definition\":\"nightly\"");
        }
    }

    @Test
    void theFormatOfOneOutput_leavesTheOtherAsText() {
        // given JSON on the console only
        LoggerContext context = context(Map.of("logging.structured.format.console", "ecs"));

        // when
        String file = encode(context, "file", null);

        // then
        assertThat(file).startsWith("WARN upload with key");
    }
}
