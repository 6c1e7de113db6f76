package dev.besworker.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** How the worker names itself in the commands it prints for the user to copy. */
final class Shell {

    /** The system property {@code target/bes-worker} sets to its own name, as typed ({@code $0}). */
    static final String LAUNCHER = "besworker.launcher";

    private Shell() {
    }

    /**
     * The launcher as it was typed ({@code target/bes-worker}) when it started the worker, else
     * {@code java -jar target/bes-worker.jar} when run from the jar, else {@code bes-worker}. The
     * launcher runs the jar unpacked beside it; without its name the hint would say {@code java -jar
     * target/bes-worker-app/bes-worker.jar}, which works but starts without the launcher's options.
     */
    static String self() {
        String launcher = System.getProperty(LAUNCHER, "");
        if (!launcher.isBlank()) {
            return quote(launcher);
        }
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
