package dev.besworker.cli;

import java.time.Duration;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import dev.besworker.definition.Units;

/**
 * Durations on the command line, read as job definitions read them ({@link Units#duration}); a
 * value that is not one is a usage error (exit 2) naming the option and the forms it takes.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Units.duration(value);
        }
        catch (IllegalArgumentException ex) {
            throw new TypeConversionException(ex.getMessage() + "; " + Units.DURATION_FORMS);
        }
    }
}
