/**
 * Job definitions ({@code jobs/<name>.yml}): read with Spring Boot's binder into validated records,
 * every problem reported at once as {@code file: key: problem (line N)}; durations and sizes ({@link dev.besworker.definition.Units}).
 */
package dev.besworker.definition;
