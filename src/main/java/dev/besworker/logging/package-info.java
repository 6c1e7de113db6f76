/**
 * Logback pieces that keep secrets out of every log line, text or structured JSON, and switch an
 * output to Spring Boot's JSON formats ({@code logging.structured.format.*}); and the task
 * decorator that carries a run's logging context (MDC) into the threads of its pools.
 */
package dev.besworker.logging;
