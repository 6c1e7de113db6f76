package dev.besworker.definition;

import java.util.regex.Pattern;

/**
 * Azure's rule for blob container names, in one place for the definition check and the staging
 * client: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or
 * digit.
 */
public final class ContainerNames {

    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");

    /** What to write instead, for problem lines. */
    public static final String RULE = "use 3-63 lowercase letters, digits and single hyphens, starting and ending"
            + " with a letter or digit, e.g. bes-staging";

    private ContainerNames() {
    }

    /** Whether Azure accepts the name for a blob container. */
    public static boolean isValid(String name) {
        return name != null && CONTAINER.matcher(name).matches();
    }
}
