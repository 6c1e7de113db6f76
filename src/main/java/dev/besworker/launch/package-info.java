/**
 * How {@code java -jar bes-worker.jar} starts quickly and lean: the jar's {@code Main-Class},
 * {@link dev.besworker.launch.Launch}, unpacks the jar once beside itself
 * ({@link dev.besworker.launch.Unpacked}) and runs the worker from the unpacked jars with the
 * JDK's own class loader instead of reading classes out of jars nested in the jar. Only JDK
 * classes are used here: these classes run before the application's class path exists.
 */
package dev.besworker.launch;
