package dev.besworker.staging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.csv.CSVFormat;

/**
 * Runs {@link ValidateMain} in a JVM as the unprivileged user {@code nobody} when the tests run
 * as root (as CI does), because root may read a file whatever its mode. The classes and the
 * Commons CSV jar are copied into a world-readable folder first: the build's own folders (a
 * Maven repository under /root) are usually closed to other users.
 */
final class Unprivileged {

    private Unprivileged() {
    }

    static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        id.waitFor(10, TimeUnit.SECONDS);
        return "0".equals(out);
    }

    /** Runs the validation of {@code file} as nobody; returns its output line(s). */
    static String validateAsNobody(Path workDir, Path file) throws IOException, InterruptedException, ClassNotFoundException {
        Path classes = workDir.resolve("classes");
        copyTree(codeSource(CsvValidator.class), classes, "dev/besworker/staging");
        copyTree(codeSource(ValidateMain.class), classes, "dev/besworker/staging");
        StringBuilder classPath = new StringBuilder(classes.toString());
        // Commons CSV and what it needs at run time
        for (String type : List.of(CSVFormat.class.getName(), "org.apache.commons.io.IOUtils",
                "org.apache.commons.codec.binary.Base64")) {
            Path jar = codeSource(Class.forName(type));
            Path copy = workDir.resolve(jar.getFileName());
            if (!Files.exists(copy)) {
                Files.copy(jar, copy);
            }
            classPath.append(':').append(copy);
        }
        openUp(workDir);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> javaCommand = List.of(java, "-Xshare:auto", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1",
                "-cp", classPath.toString(), ValidateMain.class.getName(), file.toString());
        List<String> command = new ArrayList<>(dropPrivileges());
        command.addAll(javaCommand);
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the unprivileged validation did not finish: " + output);
        }
        return output.strip();
    }

    /** A prefix that runs a command as nobody; fails (never skips) when the system offers none. */
    private static List<String> dropPrivileges() {
        for (List<String> candidate : List.of(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"),
                List.of("runuser", "-u", "nobody", "--"),
                List.of("su", "-s", "/bin/sh", "-c", "exec \"$@\"", "nobody", "--", "sh"))) {
            try {
                List<String> probeCommand = new ArrayList<>(candidate);
                probeCommand.add("true");
                Process probe = new ProcessBuilder(probeCommand).redirectErrorStream(true).start();
                probe.getInputStream().readAllBytes();
                if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return candidate;
                }
            }
            catch (IOException notInstalled) {
                // try the next tool
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("running as root, but none of setpriv, runuser or su can run a command as "
                + "nobody: the unreadable-file check cannot be tested here");
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (java.net.URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void copyTree(Path root, Path target, String packageDir) throws IOException {
        Path from = root.resolve(packageDir);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(packageDir).resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(to);
                }
                else if (!Files.exists(to)) {
                    Files.copy(source, to);
                }
            }
        }
    }

    private static void openUp(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(path)) {
                    continue;
                }
                boolean isDir = Files.isDirectory(path);
                // the file under test keeps the mode the test gave it
                if (isDir || path.toString().endsWith(".class") || path.toString().endsWith(".jar")) {
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(isDir ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }
}
