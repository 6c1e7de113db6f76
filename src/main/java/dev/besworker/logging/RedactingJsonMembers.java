package dev.besworker.logging;

import org.springframework.boot.json.JsonWriter.Members;
import org.springframework.boot.json.JsonWriter.ValueProcessor;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;

import dev.besworker.secrets.Redactor;

/**
 * Keeps secrets out of structured (JSON) logs as {@link RedactingMessageConverter} does out of
 * text logs: every string member passes through the {@link Redactor}: the message, the stack
 * trace and the exception message, and the context fields (MDC) too. Registered for every
 * structured format in {@code META-INF/spring.factories}.
 */
public class RedactingJsonMembers implements StructuredLoggingJsonMembersCustomizer<Object> {

    @Override
    public void customize(Members<Object> members) {
        members.applyingValueProcessor(ValueProcessor.of(String.class, Redactor::scrub));
    }
}
