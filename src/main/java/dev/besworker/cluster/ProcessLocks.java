package dev.besworker.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a worker process of this machine still lives, told by an OS file lock it holds for its
 * whole life, {@code <data-dir>/workers/<instance id>.lock}: the kernel releases it when the
 * process ends, even by kill -9, so a free lock shows a dead process at once, where its lease
 * takes up to a lease to run out. Only for the H2 repository, whose workers all run on one machine
 * ({@link H2OneMachine}) and share its data folder; a worker without a lock file there (another
 * data folder, or PostgreSQL, where this is off) is judged by its lease alone.
 * <p>
 * Hand-written: the JDK's {@link FileChannel#tryLock()} is the whole mechanism. Within one JVM a
 * lock is never probed through a second channel (closing it would release the holder's lock on
 * some systems), so locks held by this JVM are remembered and count as alive.
 */
public final class ProcessLocks implements AutoCloseable {

    private static final Set<String> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path folder;
    private FileChannel channel;
    private Path held;

    private ProcessLocks(Path folder) {
        this.folder = folder;
    }

    /** Locks in the folder (created when a lock is first held). */
    public static ProcessLocks in(Path folder) {
        return new ProcessLocks(folder);
    }

    /** No locks: every worker is judged by its lease (PostgreSQL: workers on several machines). */
    public static ProcessLocks none() {
        return new ProcessLocks(null);
    }

    public boolean enabled() {
        return folder != null;
    }

    /** Takes this process's lock for the worker, held until {@link #close()}. */
    public synchronized void hold(String instanceId) {
        if (folder == null || channel != null) {
            return;
        }
        Path file = folder.resolve(instanceId + ".lock");
        try {
            Files.createDirectories(folder);
            FileChannel opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = opened.tryLock();
            if (lock == null) {
                opened.close();
                throw new IllegalStateException(file + " is locked by another process");
            }
            channel = opened;
            held = file;
            HELD_HERE.add(instanceId);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot lock " + file, ex);
        }
    }

    /**
     * Whether the worker's process has ended: its lock file is here and nobody holds it. A worker
     * without a lock file here is not known to have ended (false). Removes the file of an ended one.
     */
    public boolean ended(String instanceId) {
        if (folder == null || HELD_HERE.contains(instanceId)) {
            return false;
        }
        Path file = folder.resolve(instanceId + ".lock");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel probe = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = probe.tryLock();
            if (lock == null) {
                return false;
            }
            Files.deleteIfExists(file);
            lock.release();
            return true;
        }
        catch (OverlappingFileLockException | IOException ex) {
            return false;
        }
    }

    /** Gives this process's lock up and removes its file. */
    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        try {
            Files.deleteIfExists(held);
            channel.close();
        }
        catch (IOException ignored) {
            // the lock goes with the process anyway
        }
        HELD_HERE.remove(held.getFileName().toString().replace(".lock", ""));
        channel = null;
    }
}
