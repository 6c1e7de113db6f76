/**
 * Operating on executions that run elsewhere or ran before: who owns a running execution, stop
 * signals between processes, the operator's stop and abandon (for the command line and the
 * console alike), and the reports {@code list}, {@code show} and the console read.
 */
package dev.besworker.ops;
