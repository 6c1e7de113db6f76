package dev.besworker.definition;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;
import org.springframework.util.unit.DataSize;

/**
 * How definition values become typed values for the binder, and how a value that does not
 * convert becomes a problem line. Durations and sizes use {@link Units} (the worker's one grammar
 * for both); whole numbers and true/false are strict ({@code 0x10} is not a number, {@code 1} is
 * not true).
 */
final class DefinitionConversions {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");

    private DefinitionConversions() {
    }

    /**
     * Boot's conversions with the definition grammar on top. An {@link ApplicationConversionService}
     * so that the binder does not add its shared one behind it, which would accept what ours
     * refuses (a bare {@code 30} as 30 ms).
     */
    static ConversionService conversionService() {
        ApplicationConversionService conversions = new ApplicationConversionService();
        conversions.addConverter(String.class, Duration.class, Units::duration);
        conversions.addConverter(String.class, DataSize.class, text -> DataSize.ofBytes(Units.bytes(text)));
        conversions.addConverter(String.class, Integer.class, DefinitionConversions::wholeNumber);
        conversions.addConverter(String.class, Boolean.class, DefinitionConversions::bool);
        return conversions;
    }

    private static Integer wholeNumber(String text) {
        if (WHOLE_NUMBER.matcher(text.strip()).matches()) {
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                // falls through to the problem below
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a whole number");
    }

    private static Boolean bool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("\"" + text + "\" is not true or false");
        };
    }

    /** How a value of the type may be written, for the end of a problem line. */
    private static String forms(Class<?> type, String path) {
        if (type == Duration.class) {
            return Units.DURATION_FORMS;
        }
        if (type == DataSize.class) {
            return Units.SIZE_FORMS;
        }
        if (type == Integer.class) {
            DefinitionSchema.Key key = DefinitionSchema.keyAt(path);
            return "use e.g. " + (key == null || key.hint() == null ? "1" : key.hint());
        }
        if (type == Boolean.class) {
            return "use true or false";
        }
        return "see jobs/book-reviews.yml";
    }

    /**
     * Records every failure to bind a value as a problem on its key (and its line), and goes on
     * with the value null, so one pass finds every problem.
     */
    static final class ProblemCollector extends AbstractBindHandler {

        private final YamlSource source;
        private final Problems problems;

        ProblemCollector(YamlSource source, Problems problems) {
            this.source = source;
            this.problems = problems;
        }

        /**
         * Skips what {@link DefinitionBinder} reads apart: lists of sections (bound item by item, so
         * that an empty item does not end the list) and mappings with any keys.
         */
        @Override
        public <T> Bindable<T> onStart(ConfigurationPropertyName name, Bindable<T> target, BindContext context) {
            DefinitionSchema.Key key = name.getNumberOfElements() == 1 ? DefinitionSchema.ROOT.key(name.toString()) : null;
            return key != null && (key.shape() == DefinitionSchema.Shape.SECTION_LIST
                    || key.shape() == DefinitionSchema.Shape.ANY_MAP) ? null : target;
        }

        @Override
        public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                Exception error) {
            String path = YamlSource.path(name);
            int line = source.line(path);
            Throwable cause = error;
            while (cause != null && !(cause instanceof IllegalArgumentException)) {
                cause = cause.getCause();
            }
            if (cause instanceof EnvironmentPlaceholders.UnresolvedException unresolved) {
                unresolved.problems().forEach(problem -> problems.add(path, line, problem));
            } else if (cause != null) {
                problems.add(path, line, cause.getMessage() + "; " + forms(target.getType().resolve(), path));
            } else {
                // Not a value problem: a bug here, not in the file. Named, never quoting a value.
                problems.add(path, line, "cannot be read (" + error.getClass().getSimpleName() + ")");
            }
            problems.fail(path);
            if (path.endsWith("]")) {
                // an item of a list of values: the list is unusable
                problems.fail(path.substring(0, path.lastIndexOf('[')));
            }
            return null;
        }
    }
}
