/**
 * The operator console of {@code serve}: logins and roles, the server-rendered pages, the JSON API
 * under {@code /api/}, the actions (restart, stop, abandon, retry) with their audit, and each run's own log lines.
 */
package dev.besworker.web;
