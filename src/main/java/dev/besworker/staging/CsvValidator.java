package dev.besworker.staging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks an input CSV before it is staged, in one streaming pass over files of any size, and
 * computes the SHA-256 and MD5 of its exact bytes on the way.
 * <p>
 * A file passes when it is a readable regular file (a symbolic link is followed), is UTF-8 (a
 * leading byte-order mark is skipped for parsing but counted in the hashes and size), holds no NUL
 * byte, parses as RFC 4180 CSV with the configured delimiter, has a header with unique, non-blank
 * names including every required column, has at least one data row, every row has as many fields
 * as the header, and no record exceeds {@link InputRules#maxRecordBytes()}. Anything else is an
 * {@link InputRejectedException} naming the file, the line and the fix. The file is opened for
 * reading only and never changed.
 * <p>
 * Details: lines are numbered as an editor numbers them (CR, LF and CRLF each end one line);
 * empty lines are skipped and not counted as rows; a header of a single column that contains
 * {@code ;}, tab, {@code ,} or {@code |} is taken for a wrong delimiter unless it is exactly the
 * required column. Structural errors are reported at the line where the record (or the quoted
 * field) starts; encoding errors and NUL bytes at the line they are on.
 * <p>
 * Speed: the file is read in 256 KiB chunks; the structure is checked by {@link CsvScanner} on the
 * raw bytes, and the two digests run on helper threads while the next chunk is scanned, so the
 * pass costs about as much as the slowest digest (MD5) on a machine with spare cores.
 * <p>
 * Memory: a validation holds its {@code CHUNKS_IN_FLIGHT} chunks (1 MiB in all) for as long as
 * it runs, long enough for them to reach the old generation, and serve's runs validate at once:
 * with 1 MiB chunks, 8 runs held 32 MB of live heap and the collector grew the heap by about
 * twice that. Larger chunks read no faster: the reads go in {@code SLICE}s anyway, and handing a
 * chunk to the digests costs microseconds.
 * <p>
 * Instances are stateless and thread-safe.
 */
public final class CsvValidator {

    private static final int CHUNK = 256 * 1024;
    private static final int CHUNKS_IN_FLIGHT = 4;
    private static final int SLICE = 128 * 1024;

    /** A validator; it keeps no state between calls. */
    public CsvValidator() {
    }

    /**
     * Validates {@code file} against {@code rules}, reporting bytes read to {@code progress}.
     *
     * @return the file's facts and hashes
     * @throws InputRejectedException when the file must not be sent, with the reason and the fix
     */
    public CsvCheck validate(Path file, InputRules rules, TransferListener progress) {
        return validate(file, rules, progress, null);
    }

    /**
     * As {@link #validate(Path, InputRules, TransferListener)}, also handing every chunk read to
     * {@code sink} (after it was checked) so that one read serves another consumer too.
     *
     * @param sink receives the file's bytes in order, or null
     */
    public CsvCheck validate(Path file, InputRules rules, TransferListener progress, ChunkSink sink) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(rules, "rules");
        TransferListener listener = progress == null ? TransferListener.NONE : progress;
        long size = checkFile(file);
        if (size == 0) {
            throw new InputRejectedException(file, 0, "the file is empty (0 bytes)",
                    "export the data again: the file needs a header line and at least one data row");
        }
        CsvScanner scanner = new CsvScanner(rules);
        long done = 0;
        try (InputStream in = open(file); Digests digests = new Digests()) {
            while (true) {
                byte[] chunk = digests.freeChunk();
                // Full chunks keep the per-call overhead low and give the scanner its first three
                // bytes at once (the byte-order mark test needs them).
                int n = readChunk(in, chunk);
                if (n == 0) {
                    digests.release(chunk);
                    break;
                }
                digests.submit(chunk, n);
                scanner.feed(chunk, 0, n);
                if (sink != null) {
                    sink.accept(chunk, 0, n);
                }
                done += n;
                listener.progress(done, Math.max(size, done));
            }
            scanner.finish();
            return new CsvCheck(file, done, scanner.dataRows(), scanner.header(), digests.sha256Hex(), digests.md5Base64());
        }
        catch (CsvScanner.Problem problem) {
            throw new InputRejectedException(file, problem.line, problem.problem, problem.fix);
        }
        catch (AccessDeniedException ex) {
            throw unreadable(file);
        }
        catch (NoSuchFileException ex) {
            throw new InputRejectedException(file, 0, "the file disappeared while it was being checked",
                    "make sure nothing moves or deletes the file until the job has picked it up");
        }
        catch (IOException ex) {
            throw new InputRejectedException(file, 0, "the file could not be read (" + ex + ")",
                    "check that the file is not being written or moved, and that its disk is healthy");
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while validating " + file, ex);
        }
    }

    /**
     * Fills {@code chunk} as far as the file goes, reading at most {@link #SLICE} bytes per call:
     * the file channel copies every read into a temporary direct buffer of the read's size and
     * keeps it for the thread, so 1 MiB reads would leave 1 MiB of native memory behind on every
     * thread that ever validated (serve's run threads).
     */
    private static int readChunk(InputStream in, byte[] chunk) throws IOException {
        int n = 0;
        while (n < chunk.length) {
            int read = in.read(chunk, n, Math.min(SLICE, chunk.length - n));
            if (read < 0) {
                break;
            }
            n += read;
        }
        return n;
    }

    private static InputStream open(Path file) throws IOException {
        // READ only: validation must never change the user's file, not even its timestamps.
        return Files.newInputStream(file, StandardOpenOption.READ);
    }

    /** Classifies what is at {@code file}; returns its size when it is a regular file. */
    private static long checkFile(Path file) {
        BasicFileAttributes own;
        try {
            own = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (NoSuchFileException ex) {
            Path parent = file.toAbsolutePath().getParent();
            String where = parent != null && !Files.isDirectory(parent)
                    ? "its folder " + parent + " does not exist either"
                    : "relative paths are resolved against " + Path.of("").toAbsolutePath();
            throw new InputRejectedException(file, 0, "the file does not exist", "check the path (" + where + ")");
        }
        catch (AccessDeniedException ex) {
            throw unreadable(file);
        }
        catch (IOException ex) {
            throw new InputRejectedException(file, 0, "the file cannot be examined (" + ex + ")",
                    "check the path and the permissions of its folders");
        }
        BasicFileAttributes target = own;
        if (own.isSymbolicLink()) {
            try {
                target = Files.readAttributes(file, BasicFileAttributes.class);
            }
            catch (AccessDeniedException ex) {
                throw unreadable(file);
            }
            catch (IOException ex) {
                throw brokenLink(file, ex);
            }
        }
        if (target.isDirectory()) {
            throw new InputRejectedException(file, 0, "this is a directory, not a file",
                    "name the CSV file itself, e.g. " + file.resolve("data.csv"));
        }
        if (!target.isRegularFile()) {
            throw new InputRejectedException(file, 0, "this is not a regular file (a device, pipe or socket)",
                    "name a CSV file");
        }
        return target.size();
    }

    private static InputRejectedException brokenLink(Path file, IOException cause) {
        // Walk the chain ourselves: the error text of a loop differs between platforms.
        Set<Path> seen = new HashSet<>();
        Path current = file.toAbsolutePath().normalize();
        while (Files.isSymbolicLink(current)) {
            if (!seen.add(current)) {
                return new InputRejectedException(file, 0,
                        "this is a symbolic link that loops back on itself (through " + current + ")",
                        "point the link at the real file, or name the real file instead");
            }
            try {
                Path next = Files.readSymbolicLink(current);
                Path parent = current.getParent();
                current = (parent == null ? next : parent.resolve(next)).normalize();
            }
            catch (IOException ex) {
                break;
            }
        }
        if (!(cause instanceof NoSuchFileException) && cause instanceof FileSystemException fse
                && String.valueOf(fse.getReason()).contains("levels of symbolic links")) {
            return new InputRejectedException(file, 0, "this is a symbolic link that loops back on itself",
                    "point the link at the real file, or name the real file instead");
        }
        return new InputRejectedException(file, 0, "this is a symbolic link to " + current + ", which does not exist",
                "point the link at an existing file, or name the real file instead");
    }

    private static InputRejectedException unreadable(Path file) {
        return new InputRejectedException(file, 0, "the file cannot be read (permission denied)",
                "give the worker's user (" + System.getProperty("user.name") + ") read permission, e.g. chmod a+r "
                        + file + ", and search permission on its folders");
    }

    /**
     * SHA-256 and MD5 over the chunks in order, each on its own daemon thread, so that hashing
     * overlaps scanning. A chunk goes back to the free pool when both digests have consumed it.
     */
    private static final class Digests implements AutoCloseable {

        private static final Chunk END = new Chunk(new byte[0], 0, null);

        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
        private final Worker sha256;
        private final Worker md5;

        Digests() {
            for (int i = 0; i < CHUNKS_IN_FLIGHT; i++) {
                free.add(new byte[CHUNK]);
            }
            sha256 = new Worker(digest("SHA-256"));
            md5 = new Worker(digest("MD5"));
        }

        byte[] freeChunk() throws InterruptedException, IOException {
            while (true) {
                byte[] chunk = free.poll(1, TimeUnit.SECONDS);
                if (chunk != null) {
                    return chunk;
                }
                sha256.check();
                md5.check();
            }
        }

        void release(byte[] chunk) {
            free.add(chunk);
        }

        void submit(byte[] bytes, int length) throws InterruptedException {
            Chunk chunk = new Chunk(bytes, length, free);
            sha256.queue.put(chunk);
            md5.queue.put(chunk);
        }

        String sha256Hex() throws InterruptedException, IOException {
            return HexFormat.of().formatHex(sha256.result());
        }

        String md5Base64() throws InterruptedException, IOException {
            return Base64.getEncoder().encodeToString(md5.result());
        }

        @Override
        public void close() {
            sha256.thread.interrupt();
            md5.thread.interrupt();
        }

        private static MessageDigest digest(String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException(algorithm + " is part of every Java runtime", ex);
            }
        }

        /** A filled buffer; back to the pool once both digests are done with it. */
        private static final class Chunk {
            private final byte[] bytes;
            private final int length;
            private final BlockingQueue<byte[]> pool;
            private final AtomicInteger users = new AtomicInteger(2);

            Chunk(byte[] bytes, int length, BlockingQueue<byte[]> pool) {
                this.bytes = bytes;
                this.length = length;
                this.pool = pool;
            }

            void consumed() {
                if (users.decrementAndGet() == 0) {
                    pool.add(bytes);
                }
            }
        }

        private static final class Worker implements Runnable {
            private final MessageDigest digest;
            private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT + 1);
            private final Thread thread;
            private volatile byte[] result;
            private volatile Throwable failure;

            Worker(MessageDigest digest) {
                this.digest = digest;
                this.thread = new Thread(this, "csv-" + digest.getAlgorithm().toLowerCase(Locale.ROOT));
                thread.setDaemon(true);
                thread.start();
            }

            @Override
            public void run() {
                try {
                    while (true) {
                        Chunk chunk = queue.take();
                        if (chunk == END) {
                            result = digest.digest();
                            return;
                        }
                        digest.update(chunk.bytes, 0, chunk.length);
                        chunk.consumed();
                    }
                }
                catch (InterruptedException ex) {
                    // closed early: the validation failed or was abandoned
                }
                catch (RuntimeException | Error ex) {
                    failure = ex;
                }
            }

            byte[] result() throws InterruptedException, IOException {
                queue.put(END);
                thread.join();
                check();
                return result;
            }

            void check() throws IOException {
                if (failure != null) {
                    throw new IOException("hashing failed", failure);
                }
            }
        }
    }
}
