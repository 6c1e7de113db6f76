package dev.besworker.staging;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** MD5, the digest Azure Storage checks transfers with (Content-MD5 and transactional MD5). */
final class Md5 {

    private Md5() {
    }

    /** A fresh MD5 digest. */
    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("MD5 is part of every Java runtime", ex);
        }
    }

    /** The MD5 of the bytes between position and limit of {@code buffer} (which it leaves as it was). */
    static byte[] of(ByteBuffer buffer) {
        MessageDigest digest = digest();
        digest.update(buffer.duplicate());
        return digest.digest();
    }

    /** The MD5 of the first {@code length} bytes of {@code buffer}. */
    static byte[] of(byte[] buffer, int length) {
        MessageDigest digest = digest();
        digest.update(buffer, 0, length);
        return digest.digest();
    }
}
