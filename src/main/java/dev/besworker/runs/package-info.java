/**
 * The one entry point that scores: {@link dev.besworker.runs.ScoringRuns} checks a request, reports
 * work already scored, restarts unfinished work or launches a run; cli, serve, intake and web call it.
 */
package dev.besworker.runs;
