/**
 * {@code serve}: the long-running worker: inbox and schedule runs dispatched within limits,
 * retention, health and metrics, and one serve per data folder.
 */
package dev.besworker.serve;
