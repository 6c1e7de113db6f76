/**
 * Logback pieces that keep secrets out of every log line, text or structured JSON, and switch an
 * output to Spring Boot's JSON formats ({@code logging.structured.format.*}).
 */
package dev.besworker.logging;
