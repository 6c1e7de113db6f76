package dev.besworker.launch;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The fat jar's {@code Main-Class}: runs the application's {@code Start-Class} from the jar
 * unpacked beside it ({@link Unpacked}), with a plain {@link URLClassLoader} over those jars.
 * <p>
 * Why not Spring Boot's {@code JarLauncher} alone: its class loader reads every class out of a
 * jar nested in the fat jar and, for each class, opens a URL per nested jar it tries. Measured
 * on this worker (async-profiler, one {@code run} of the 360-row sample): 330 MB of the start's
 * 510 MB of allocation were the loader's URLs, strings and inflater buffers
 * (spring-boot#51503), the default G1 heap grew to take them, and the JVM's peak RSS was
 * 325 MB against 257 MB from the unpacked jars, 2 s slower. Boot 4 has no other loader (its
 * classic loader is gone), and its own answer, {@code java -Djarmode=tools -jar ... extract}, is
 * a step the user would have to take; this class takes it on first use.
 * <p>
 * Falls back to Boot's {@code JarLauncher} (slower, same behaviour) when the jar cannot be unpacked,
 * e.g. in a read-only folder, and hands {@code -Djarmode=...} to it untouched.
 */
public final class Launch {

    /** Set (to any value) to unpack the jar and exit: what the build and the launcher script do. */
    static final String UNPACK_ONLY = "besworker.unpack-only";

    private static final String BOOT_LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";

    private Launch() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = ownJar();
        if (jar == null || System.getProperty("jarmode") != null) {
            bootLauncher(args);
            return;
        }
        Unpacked unpacked;
        try {
            unpacked = Unpacked.beside(jar);
        }
        catch (IOException | RuntimeException ex) {
            if (System.getProperty(UNPACK_ONLY) != null) {
                throw ex;
            }
            bootLauncher(args);
            return;
        }
        if (System.getProperty(UNPACK_ONLY) != null) {
            return;
        }
        run(unpacked, args);
    }

    /**
     * Spring Boot's {@code JarLauncher}, at the fat jar's root beside this class (by name: the
     * loader is packaged into the jar, not a dependency the code compiles against).
     */
    private static void bootLauncher(String[] args) throws Exception {
        invokeMain(Class.forName(BOOT_LAUNCHER), args);
    }

    private static void run(Unpacked unpacked, String[] args) throws Exception {
        // The platform loader as parent: the fat jar on the class path is not seen twice.
        URLClassLoader loader = new URLClassLoader("app", new URL[] {unpacked.applicationJar().toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        invokeMain(Class.forName(unpacked.startClass(), false, loader), args);
    }

    private static void invokeMain(Class<?> type, String[] args) throws Exception {
        Method main = type.getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        }
        catch (InvocationTargetException ex) {
            if (ex.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (ex.getCause() instanceof Error error) {
                throw error;
            }
            throw ex;
        }
    }

    /** The jar this class was loaded from, or null when it was not loaded from a jar file. */
    private static Path ownJar() {
        try {
            CodeSource source = Launch.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return null;
            }
            Path path = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(path) ? path : null;
        }
        catch (URISyntaxException | IllegalArgumentException | SecurityException ex) {
            return null;
        }
    }
}
