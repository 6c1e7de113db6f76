package dev.besworker.web;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The console's users, {@code besworker.console.users.<name>.password} and {@code .roles}, so
 * that {@code BESWORKER_CONSOLE_USERS_ALICE_PASSWORD} and {@code BESWORKER_CONSOLE_USERS_ALICE_ROLES}
 * work from the environment. There is no default user: with none, the console refuses everyone.
 *
 * @param users user name to password and roles
 * @param pageSize executions per page of the runs page (and the API's default)
 */
@Validated
@ConfigurationProperties("besworker.console")
public record ConsoleProperties(Map<String, @Valid User> users, @DefaultValue("25") int pageSize) {

    public ConsoleProperties {
        users = users == null ? Map.of() : new TreeMap<>(users);
    }

    /**
     * One user.
     *
     * @param password Spring Security's encoded form: {@code {bcrypt}$2a$10$...} (see the
     *     {@code hash-password} command) or {@code {noop}plain} (tests only)
     * @param roles VIEWER and/or OPERATOR
     */
    public record User(@NotBlank String password, @NotEmpty Set<Role> roles) {

        @Override
        public String toString() {
            return "User[roles=" + roles + "]";
        }
    }
}
