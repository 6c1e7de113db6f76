/**
 * The one entry point that scores: {@link dev.besworker.runs.ScoringRuns} checks a request, reports
 * work already scored, restarts unfinished work or launches a run; cli, serve, intake and web call it.
 * Beside it, what the process does for its own memory ({@link dev.besworker.runs.ProcessMemory}),
 * which a run's heap trim and serve use.
 */
package dev.besworker.runs;
