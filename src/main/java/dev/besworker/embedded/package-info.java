/**
 * The embedded services of {@code endpoint: embedded} definitions: Azurite as a child process and
 * the BES emulator in-process (through {@code EmulatorLauncher}), started beside the worker and stopped with it.
 */
package dev.besworker.embedded;
