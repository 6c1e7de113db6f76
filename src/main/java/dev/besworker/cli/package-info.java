/**
 * The command line: one picocli command per verb ({@code run}, {@code restart}, {@code list},
 * {@code check}, {@code serve}, ...), their output, exit codes and the shell commands they print.
 */
package dev.besworker.cli;
