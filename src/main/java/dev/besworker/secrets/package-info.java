/**
 * Secrets as values that do not print ({@link dev.besworker.secrets.Secret}), and the
 * {@link dev.besworker.secrets.Redactor} every log line and message passes through.
 */
package dev.besworker.secrets;
