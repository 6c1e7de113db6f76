/**
 * Webhook notifications of run outcomes (Slack/Teams-readable JSON), posted in the background with
 * one retry; a webhook never fails or delays a run.
 */
package dev.besworker.notify;
