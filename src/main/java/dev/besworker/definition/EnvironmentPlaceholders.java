package dev.besworker.definition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;

/**
 * {@code ${VAR}} and {@code ${VAR:default}} in definition values, from the given environment
 * only (never system properties or Spring's other property sources); {@code $${} writes a
 * literal {@code ${}, and a variable set to the empty string takes the default when there is
 * one. Hand-written rather than Spring's {@code PropertyPlaceholderHelper} because definitions
 * keep their own grammar: the {@code $${} escape, empty-means-default, and one problem per bad
 * reference that never quotes a value.
 */
final class EnvironmentPlaceholders implements PlaceholdersResolver {

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** A value with its variables substituted, and whether any came from the environment. */
    record Substituted(String value, boolean fromEnvironment) {
    }

    /** A value whose references cannot be resolved; each problem is one message for the value's key. */
    static final class UnresolvedException extends IllegalArgumentException {

        private final List<String> problems;

        UnresolvedException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    private final Map<String, String> environment;

    EnvironmentPlaceholders(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Object resolvePlaceholders(Object value) {
        return value instanceof String text ? substitute(text).value() : value;
    }

    /** Whether the value as written takes anything from the environment. */
    boolean fromEnvironment(String raw) {
        try {
            return raw != null && substitute(raw).fromEnvironment();
        } catch (UnresolvedException e) {
            return false;
        }
    }

    /**
     * The value with its references substituted.
     *
     * @throws UnresolvedException when a reference is malformed or its variable is not set
     */
    Substituted substitute(String raw) {
        if (raw.indexOf('$') < 0) {
            return new Substituted(raw, false);
        }
        StringBuilder out = new StringBuilder(raw.length());
        List<String> problems = new ArrayList<>();
        boolean fromEnvironment = false;
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!raw.startsWith("${", i)) {
                out.append(raw.charAt(i));
                i++;
                continue;
            }
            int close = raw.indexOf('}', i + 2);
            if (close < 0) {
                problems.add("has a ${ without a closing }; write ${NAME} or ${NAME:default}");
                break;
            }
            String expression = raw.substring(i + 2, close);
            int colon = expression.indexOf(':');
            String variable = colon < 0 ? expression : expression.substring(0, colon);
            String fallback = colon < 0 ? null : expression.substring(colon + 1);
            if (!VARIABLE.matcher(variable).matches()) {
                problems.add("has a malformed variable reference; write ${NAME} or ${NAME:default}, NAME made of"
                        + " letters, digits and _");
            } else {
                String value = environment.get(variable);
                if (value == null || (value.isEmpty() && fallback != null)) {
                    if (fallback == null) {
                        problems.add("environment variable " + variable + " is not set (use ${" + variable
                                + ":default} for a default)");
                    } else {
                        out.append(fallback);
                    }
                } else {
                    out.append(value);
                    fromEnvironment = true;
                }
            }
            i = close + 1;
        }
        if (!problems.isEmpty()) {
            throw new UnresolvedException(problems);
        }
        return new Substituted(out.toString(), fromEnvironment);
    }
}
