/**
 * Job definitions ({@code jobs/<name>.yml}) bound into validated records, every problem reported
 * at once as {@code file: key: problem (line N)}; and the one rule for each fact (durations, sizes, names).
 */
package dev.besworker.definition;
