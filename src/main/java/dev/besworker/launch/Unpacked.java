package dev.besworker.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A fat jar unpacked beside itself, in the layout of Spring Boot's
 * {@code java -Djarmode=tools -jar app.jar extract}: {@code <name>-app/<name>.jar} holds the
 * application's classes and a manifest whose {@code Class-Path} names {@code lib/*.jar}, in the
 * order of the fat jar's class-path index. Jars signed by their publisher are unpacked without
 * their signature files: the JDK's class-data sharing skips signed jars, and the fat jar's own
 * loader never checked those signatures either.
 * <p>
 * Unpacked once per build: the folder is reused while its {@code extracted} marker is not older
 * than the jar (the launcher script {@code target/bes-worker} applies the same test before it
 * asks for an unpack). Concurrent first starts each unpack into their own folder and the first to
 * finish is kept.
 *
 * @param dir the folder, e.g. {@code target/bes-worker-app}
 * @param applicationJar the unpacked application jar, {@code dir/bes-worker.jar}
 * @param startClass the application's main class (the fat jar's {@code Start-Class})
 */
record Unpacked(Path dir, Path applicationJar, String startClass) {

    static final String MARKER = "extracted";

    private static final String CLASSES = "BOOT-INF/classes/";

    /** The unpacked form of {@code jar}, unpacking it first when there is none or it is older than the jar. */
    static Unpacked beside(Path jar) throws IOException {
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path dir = jar.resolveSibling(name + "-app");
        Path applicationJar = dir.resolve(name + ".jar");
        String startClass;
        try (JarFile fat = new JarFile(jar.toFile(), false)) {
            Manifest manifest = fat.getManifest();
            startClass = manifest == null ? null : manifest.getMainAttributes().getValue("Start-Class");
            if (startClass == null) {
                throw new IOException(jar + " has no Start-Class: not a Spring Boot jar");
            }
            if (!isCurrent(dir, jar)) {
                unpack(fat, manifest, jar, dir, applicationJar.getFileName().toString());
            }
        }
        return new Unpacked(dir, applicationJar, startClass);
    }

    private static boolean isCurrent(Path dir, Path jar) throws IOException {
        Path marker = dir.resolve(MARKER);
        return Files.isRegularFile(marker)
                && Files.getLastModifiedTime(marker).compareTo(Files.getLastModifiedTime(jar)) >= 0;
    }

    private static void unpack(JarFile fat, Manifest manifest, Path jar, Path dir, String applicationJarName)
            throws IOException {
        Path work = dir.resolveSibling(dir.getFileName() + "." + ProcessHandle.current().pid());
        delete(work);
        try {
            Files.createDirectories(work.resolve("lib"));
            System.err.println("bes-worker: unpacking " + jar.getFileName() + " into " + dir
                    + " for quicker starts (once per build) ...");
            List<String> libs = libraries(fat, manifest);
            List<String> classPath = new ArrayList<>();
            for (String lib : libs) {
                String fileName = lib.substring(lib.lastIndexOf('/') + 1);
                ZipEntry entry = fat.getEntry(lib);
                if (entry == null) {
                    continue;
                }
                Path target = work.resolve("lib").resolve(fileName);
                try (InputStream in = fat.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                dropSignature(target);
                classPath.add("lib/" + fileName);
            }
            writeApplicationJar(fat, manifest, classPath, work.resolve(applicationJarName));
            Files.writeString(work.resolve(MARKER), "unpacked from " + jar + "\n");
            Files.setLastModifiedTime(work.resolve(MARKER),
                    FileTime.fromMillis(Math.max(System.currentTimeMillis(), Files.getLastModifiedTime(jar).toMillis())));
            if (isCurrent(dir, jar)) {
                return; // another start unpacked it meanwhile
            }
            delete(dir);
            try {
                Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException ex) {
                if (!isCurrent(dir, jar)) {
                    throw ex;
                }
            }
        }
        finally {
            delete(work);
        }
    }

    /**
     * The nested jars in class-path order, from the fat jar's class-path index (Spring Boot writes
     * one into every jar it repackages; a jar without one is not unpacked, and runs through Boot's
     * loader instead).
     */
    private static List<String> libraries(JarFile fat, Manifest manifest) throws IOException {
        String index = manifest.getMainAttributes().getValue("Spring-Boot-Classpath-Index");
        ZipEntry indexEntry = index == null ? null : fat.getEntry(index);
        if (indexEntry == null) {
            throw new IOException(fat.getName() + " has no class-path index");
        }
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(fat.getInputStream(indexEntry), StandardCharsets.UTF_8))) {
            // lines of the form: - "BOOT-INF/lib/spring-core-7.0.8.jar"
            return reader.lines().map(String::trim).filter(line -> line.startsWith("- \""))
                    .map(line -> line.substring(3, line.length() - 1)).toList();
        }
    }

    private static void writeApplicationJar(JarFile fat, Manifest fatManifest, List<String> classPath, Path target)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        fatManifest.getMainAttributes().forEach((key, value) -> {
            String name = key.toString();
            if (!name.startsWith("Spring-Boot-") || name.equals("Spring-Boot-Version")) {
                attributes.put(key, value);
            }
        });
        attributes.remove(new Attributes.Name("Start-Class"));
        attributes.put(Attributes.Name.MAIN_CLASS, fatManifest.getMainAttributes().getValue("Start-Class"));
        attributes.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        Set<String> written = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest)) {
            out.setLevel(Deflater.BEST_SPEED);
            for (Enumeration<JarEntry> e = fat.entries(); e.hasMoreElements();) {
                JarEntry entry = e.nextElement();
                String name = applicationEntryName(entry.getName());
                if (name != null && !name.isEmpty() && written.add(name)) {
                    out.putNextEntry(new ZipEntry(name));
                    if (!entry.isDirectory()) {
                        try (InputStream in = fat.getInputStream(entry)) {
                            in.transferTo(out);
                        }
                    }
                    out.closeEntry();
                }
            }
        }
    }

    /**
     * Where a fat jar's entry goes in the application jar, or null when it is not the
     * application's: the nested jars, the class-path indexes, the Boot loader and this launcher
     * (at the fat jar's root), the loader's file-system provider and the manifest.
     */
    private static String applicationEntryName(String name) {
        if (name.startsWith(CLASSES)) {
            return name.substring(CLASSES.length());
        }
        if (name.startsWith("META-INF/") && !name.equals("META-INF/") && !name.equals(JarFile.MANIFEST_NAME)
                && !name.equals("META-INF/services/java.nio.file.spi.FileSystemProvider") && !isSignature(name)) {
            return name;
        }
        return null;
    }

    /** Rewrites a jar without its signature files, when it has any. */
    private static void dropSignature(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.stream().noneMatch(entry -> isSignature(entry.getName()))) {
                return;
            }
            Path unsigned = jar.resolveSibling(jar.getFileName() + ".unsigned");
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(unsigned))) {
                out.setLevel(Deflater.BEST_SPEED);
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                    ZipEntry entry = e.nextElement();
                    if (isSignature(entry.getName())) {
                        continue;
                    }
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    try (InputStream in = zip.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            Files.move(unsigned, jar, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isSignature(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.startsWith("META-INF/") && upper.indexOf('/', "META-INF/".length()) < 0
                && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")
                        || upper.startsWith("META-INF/SIG-"));
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.toList());
            all.sort(Comparator.reverseOrder());
            for (Path path : all) {
                Files.deleteIfExists(path);
            }
        }
    }
}
