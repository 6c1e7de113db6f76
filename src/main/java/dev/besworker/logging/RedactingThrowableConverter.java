package dev.besworker.logging;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

import dev.besworker.secrets.Redactor;

/** Logback {@code %redactedException}: stack traces with every secret masked. */
public class RedactingThrowableConverter extends ExtendedThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Redactor.scrub(super.throwableProxyToString(proxy));
    }
}
