package dev.besworker.emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error answer in the service's shape:
 * {@code {"error":{"code":"<class>","message":"...","details":[{"code":"<specific>","message":"..."}]}}}.
 * Messages never carry credentials.
 */
class ApiError extends RuntimeException {

    private final int status;
    private final String errorClass;
    private final String code;
    private final Map<String, String> headers;

    ApiError(int status, String errorClass, String code, String message) {
        this(status, errorClass, code, message, Map.of());
    }

    ApiError(int status, String errorClass, String code, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.errorClass = errorClass;
        this.code = code;
        this.headers = headers;
    }

    static ApiError badArgument(String code, String message) {
        return new ApiError(400, "BadArgument", code, message);
    }

    static ApiError notFound(String code, String message) {
        return new ApiError(404, "NotFound", code, message);
    }

    int status() {
        return status;
    }

    String errorClass() {
        return errorClass;
    }

    String code() {
        return code;
    }

    /** The error class the table in bes-api.md gives for an HTTP status. */
    static String classFor(int status) {
        return switch (status) {
            case 400 -> "BadArgument";
            case 401 -> "Unauthorized";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 408 -> "RequestTimeout";
            case 413 -> "MemoryQuotaViolation";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "GatewayTimeout";
            default -> status >= 500 ? "InternalError" : "BadArgument";
        };
    }

    /** The specific code a fault uses when the rule names none (null: no details entry). */
    static String defaultCodeFor(int status) {
        return switch (status) {
            case 408 -> "ScoreRequestTimeout";
            case 429 -> "TooManyRequests";
            case 503 -> "RequestThrottled";
            case 504 -> "BackendScoreTimeout";
            default -> null;
        };
    }

    /** A human message for an emulated fault's code. */
    static String defaultMessageFor(int status, String code, int maxConcurrency) {
        if (code == null) {
            return status == 500 ? "Execution encountered an internal error." : "The request failed.";
        }
        return switch (code) {
            case "RequestThrottled" -> "Request is throttled. The maximum concurrency for the endpoint is "
                    + maxConcurrency + ".";
            case "TooManyConcurrentRequests" -> "Too many concurrent requests. The maximum concurrency for the endpoint is "
                    + maxConcurrency + ".";
            case "NoMoreResources" -> "No resources are available to handle the request. Retry later.";
            case "InitializingContainers" -> "The service is initializing containers. Retry later.";
            case "BackendScoreTimeout" -> "The request timed out in the backend.";
            case "ScoreRequestTimeout" -> "The request timed out.";
            case "TooManyRequests" -> "Too many requests. Retry later.";
            default -> "The request failed with " + code + ".";
        };
    }

    Reply toReply() {
        return Reply.json(status, body(errorClass, code, getMessage())).withHeaders(headers);
    }

    static Map<String, Object> body(String errorClass, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", errorClass);
        error.put("message", message);
        if (code != null) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("code", code);
            detail.put("message", message);
            error.put("details", List.of(detail));
        }
        else {
            error.put("details", List.of());
        }
        return Map.of("error", error);
    }
}
