package dev.besworker.staging;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes through, feeding a digest and reporting the running count. */
final class CountingDigestOutputStream extends FilterOutputStream {

    private final MessageDigest digest;
    private final TransferListener listener;
    private final long total;
    private long count;

    CountingDigestOutputStream(OutputStream out, MessageDigest digest, TransferListener listener, long total) {
        super(out);
        this.digest = digest;
        this.listener = listener;
        this.total = total;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        digest.update(bytes, offset, length);
        count += length;
        listener.progress(count, total);
    }

    long count() {
        return count;
    }
}
