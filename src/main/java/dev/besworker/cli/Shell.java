package dev.besworker.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** How the worker names itself in the commands it prints for the user to copy. */
final class Shell {

    private Shell() {
    }

    /** {@code java -jar target/bes-worker.jar} when run from the jar, else {@code bes-worker}. */
    static String self() {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
            Path jar = Path.of(classPath).toAbsolutePath().normalize();
            Path cwd = Path.of("").toAbsolutePath();
            Path shown = jar.startsWith(cwd) ? cwd.relativize(jar) : jar;
            return "java -jar " + quote(shown.toString());
        }
        return Files.exists(Path.of("target/bes-worker.jar")) ? "java -jar target/bes-worker.jar" : "bes-worker";
    }

    /** The word as the shell needs it: quoted only when it must be. */
    static String quote(String word) {
        if (word.matches("[A-Za-z0-9_./=:@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
