package dev.besworker.web;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.DefaultAuthenticationEventPublisher;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

import dev.besworker.secrets.Redactor;

/**
 * Who gets into the console and its API. Two filter chains: {@code /api/**} and the actuator
 * take HTTP Basic, stateless, without CSRF (scripts); every other path is the pages', with form
 * login, a session and Spring Security's CSRF tokens. {@code /actuator/health} is open (no
 * details for anonymous callers); the rest of the actuator is for operators. Viewers read
 * (GET); operators also act (POST).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class ConsoleSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSecurityConfiguration.class);
    private static final Pattern ENCODED = Pattern.compile("^\\{[A-Za-z0-9_-]+}.+");
    private static final String VIEWER = Role.VIEWER.name();
    private static final String OPERATOR = Role.OPERATOR.name();

    @Bean
    PasswordEncoder consolePasswordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** The configured users; operators are viewers too. None configured: nobody gets in, and the log says how to add one. */
    @Bean
    InMemoryUserDetailsManager consoleUsers(ConsoleProperties properties) {
        List<UserDetails> users = new ArrayList<>();
        for (Map.Entry<String, ConsoleProperties.User> entry : properties.users().entrySet()) {
            String name = entry.getKey();
            ConsoleProperties.User user = entry.getValue();
            if (!ENCODED.matcher(user.password()).matches()) {
                // The value itself is never repeated: it may be a plain password.
                throw new IllegalStateException("besworker.console.users." + name + ".password is not in Spring's"
                        + " encoded form: give '{bcrypt}...' as printed by 'bes-worker hash-password' (or '{noop}...'"
                        + " for a test)");
            }
            List<String> authorities = new ArrayList<>();
            authorities.add(Role.VIEWER.authority());
            if (user.roles().contains(Role.OPERATOR)) {
                authorities.add(Role.OPERATOR.authority());
            }
            users.add(User.withUsername(name).password(user.password()).authorities(authorities.toArray(String[]::new))
                    .build());
        }
        if (users.isEmpty()) {
            log.warn("console: no users are configured, so the console and the API refuse everyone. Add one, e.g."
                    + " BESWORKER_CONSOLE_USERS_ALICE_PASSWORD='{bcrypt}...' (printed by 'bes-worker hash-password')"
                    + " and BESWORKER_CONSOLE_USERS_ALICE_ROLES=OPERATOR (or VIEWER), then restart serve");
        }
        else {
            log.info("console: {} user(s): {}", users.size(), properties.users().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue().roles()).toList());
        }
        return new InMemoryUserDetailsManager(users);
    }

    /** Publishes login failures as events (for {@link #loginFailed}). */
    @Bean
    DefaultAuthenticationEventPublisher consoleAuthenticationEvents(ApplicationEventPublisher publisher) {
        return new DefaultAuthenticationEventPublisher(publisher);
    }

    /** The API and the actuator: HTTP Basic, stateless, no CSRF (no cookies to forge with). */
    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http) throws Exception {
        http.securityMatcher("/api/**", "/actuator/**")
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/actuator/**").hasRole(OPERATOR)
                        .requestMatchers(HttpMethod.GET, "/api/**").hasRole(VIEWER)
                        .requestMatchers(HttpMethod.POST, "/api/**").hasRole(OPERATOR)
                        .anyRequest().denyAll())
                .httpBasic(basic -> basic.realmName("bes-worker")
                        .authenticationEntryPoint((request, response, ex) -> {
                            response.setHeader("WWW-Authenticate", "Basic realm=\"bes-worker\"");
                            json(response, HttpServletResponse.SC_UNAUTHORIZED,
                                    "log in: HTTP Basic with a user of besworker.console.users");
                        }))
                .exceptionHandling(errors -> errors.accessDeniedHandler((request, response, ex) -> json(response,
                        HttpServletResponse.SC_FORBIDDEN, "your role does not allow this (operators act, viewers read)")))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    /** The pages: form login, session, CSRF tokens in every form, strict security headers. */
    @Bean
    @Order(2)
    SecurityFilterChain pageSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers("/login", "/console.css", "/favicon.ico", "/error").permitAll()
                        .requestMatchers(HttpMethod.GET, "/**").hasRole(VIEWER)
                        .anyRequest().hasRole(OPERATOR))
                .formLogin(form -> form.loginPage("/login").defaultSuccessUrl("/runs", false).permitAll())
                .logout(logout -> logout.logoutSuccessUrl("/login?logout"))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'self'; img-src 'self' data:;"
                                + " style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self';"
                                + " base-uri 'none'"))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /** A failed login, without the password (and the user name as typed, scrubbed: people type passwords there). */
    @EventListener
    void loginFailed(AbstractAuthenticationFailureEvent event) {
        Object details = event.getAuthentication().getDetails();
        String from = details instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : "?";
        String user = Redactor.scrub(String.valueOf(event.getAuthentication().getName()));
        if (user.length() > 64) {
            user = user.substring(0, 64) + "...";
        }
        log.warn("console: failed login for user '{}' from {}: {}", user, from, event.getException().getMessage());
    }

    static void json(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"status\":" + status + ",\"message\":\"" + message.replace("\"", "'") + "\"}");
    }
}
