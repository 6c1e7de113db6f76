package dev.besworker.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.besworker.cluster.WorkerIdentity;

/**
 * One {@code serve} per data folder: an exclusive lock on {@code <data-dir>/serve.lock}, held
 * for the life of the process. The operating system releases it when the process dies, however it
 * dies, so a killed serve never blocks the next one. The file names the holder (pid, host, start
 * time) so that a second serve can say who holds the folder.
 */
public final class ServeLock implements AutoCloseable {

    /** The lock file's name in the data folder. */
    public static final String FILE_NAME = "serve.lock";

    /** Thrown when another live process holds the lock. */
    public static final class HeldException extends RuntimeException {

        private final String holder;

        HeldException(Path dataDir, String holder) {
            super("another serve is already running for data folder " + dataDir + ": " + holder
                    + "; stop it first, or give this one another --data-dir");
            this.holder = holder;
        }

        /** Who holds the lock, as its file says. */
        public String holder() {
            return holder;
        }
    }

    /**
     * Data folders locked by this JVM. Checked before the file is opened at all: POSIX releases
     * all of a process's locks on a file when any descriptor of it is closed, so a second channel
     * opened and closed here would silently drop the first one's lock.
     */
    private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private ServeLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the data folder's lock.
     *
     * @throws HeldException when another process (or another serve in this one) holds it
     */
    public static ServeLock acquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path key = dataDir.toRealPath();
        String me = "process " + ProcessHandle.current().pid() + " on " + hostName() + ", serving since "
                + Instant.now();
        String before = HELD_HERE.putIfAbsent(key, me);
        if (before != null) {
            throw new HeldException(dataDir, before);
        }
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        FileLock lock = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            }
            catch (OverlappingFileLockException ex) {
                lock = null;
            }
            if (lock == null) {
                throw new HeldException(dataDir, holder(channel));
            }
        }
        catch (IOException | RuntimeException ex) {
            if (channel != null) {
                channel.close();
            }
            HELD_HERE.remove(key);
            throw ex;
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
        return new ServeLock(key, channel, lock);
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "a process that has not written its name yet" : text;
    }

    /** The machine's name as its kernel knows it (see {@link WorkerIdentity#hostName()}). */
    static String hostName() {
        return WorkerIdentity.hostName();
    }

    /** Releases the lock (the file stays; its content tells who held it last). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        }
        finally {
            channel.close();
            HELD_HERE.remove(key);
        }
    }
}
