/**
 * The application's entry points: the {@code bes-worker} command line, the Spring Boot application
 * the commands and {@code serve} run in, and the one place that wires the BES emulator in.
 */
package dev.besworker;
