package dev.besworker.web;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.besworker.secrets.Redactor;

/**
 * Errors of the API as JSON {@code {"status": 400, "message": "..."}}: a refused request names
 * what to change; an unexpected failure is a 500 whose message is scrubbed and logged.
 */
@RestControllerAdvice(assignableTypes = ConsoleApi.class)
class ConsoleErrors {

    private static final Logger log = LoggerFactory.getLogger(ConsoleErrors.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> refused(ApiException ex) {
        return body(ex.status(), ex.getMessage());
    }

    @ExceptionHandler({ MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class })
    ResponseEntity<Map<String, Object>> badParameter(Exception ex) {
        return body(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException ex) {
        return body(HttpStatus.METHOD_NOT_ALLOWED, ex.getMessage());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> noSuchPath(NoResourceFoundException ex) {
        return body(HttpStatus.NOT_FOUND, "no such API path: /" + ex.getResourcePath());
    }

    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Map<String, Object>> failed(RuntimeException ex, HttpServletRequest request) {
        String message = Redactor.scrub(String.valueOf(ex.getMessage()));
        log.error("console API {} {} failed: {}", request.getMethod(), request.getRequestURI(), message, ex);
        return body(HttpStatus.INTERNAL_SERVER_ERROR, message);
    }

    static ResponseEntity<Map<String, Object>> body(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("status", status.value(), "error", status.getReasonPhrase(),
                        "message", Redactor.scrub(message == null ? status.getReasonPhrase() : message)));
    }
}
