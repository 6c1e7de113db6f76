package dev.besworker.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

import dev.besworker.secrets.Redactor;

/** Logback {@code %redactedMessage}: the formatted message with every secret masked. */
public class RedactingMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Redactor.scrub(super.convert(event));
    }
}
