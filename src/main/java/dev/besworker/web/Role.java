package dev.besworker.web;

/** What a console user may do: viewers read, operators also act (restart, stop, abandon, retry). */
public enum Role {
    VIEWER, OPERATOR;

    /** The authority Spring Security checks ({@code hasRole("OPERATOR")} = {@code ROLE_OPERATOR}). */
    String authority() {
        return "ROLE_" + name();
    }
}
