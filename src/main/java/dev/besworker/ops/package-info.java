/**
 * Operating on executions that run elsewhere or ran before: who owns a running execution, stop
 * signals between processes, and the reports {@code list}, {@code show} and the console read.
 */
package dev.besworker.ops;
