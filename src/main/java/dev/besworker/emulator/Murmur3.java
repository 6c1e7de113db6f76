package dev.besworker.emulator;

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's {@code MurmurHash3_x86_32}), over raw
 * bytes or over the UTF-8 encoding of characters, which is computed on the fly so that no byte
 * array is allocated per token.
 * <p>
 * Results are the 32 hash bits in a Java {@code int}; use {@link Integer#toUnsignedLong(int)}
 * for the unsigned value other implementations print. Unpaired surrogates encode as U+FFFD
 * (EF BF BD), as the WHATWG {@code TextEncoder} does; well-formed text is unaffected.
 */
public final class Murmur3 {

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {
    }

    /** The hash of {@code length} bytes of {@code data} from {@code offset}. */
    public static int hash32(byte[] data, int offset, int length, int seed) {
        int h1 = seed;
        int end = offset + (length & ~3);
        for (int i = offset; i < end; i += 4) {
            int k1 = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | data[i + 3] << 24;
            h1 = mixBlock(h1, k1);
        }
        int k1 = 0;
        switch (length & 3) {
            case 3:
                k1 ^= (data[end + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 ^= (data[end + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 ^= data[end] & 0xff;
                h1 ^= mixK(k1);
                break;
            default:
                break;
        }
        return fmix(h1 ^ length);
    }

    /** The hash of the UTF-8 encoding of {@code text}. */
    public static int hashUtf8(CharSequence text, int seed) {
        return hashUtf8(text, 0, text.length(), seed);
    }

    /**
     * The hash of the UTF-8 encoding of the characters {@code from} (inclusive) to {@code to}
     * (exclusive). Copies them and hashes the copy with the char array version, the one
     * implementation (the scoring loop calls that one directly, without the copy).
     */
    public static int hashUtf8(CharSequence text, int from, int to, int seed) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            chars[i - from] = text.charAt(i);
        }
        return hashUtf8(chars, 0, chars.length, seed);
    }

    /** The hash of the UTF-8 encoding of {@code text[from..to)}: the allocation-free hot path. */
    public static int hashUtf8(char[] text, int from, int to, int seed) {
        int h1 = seed;
        int pending = 0;   // bytes not yet mixed, little-endian
        int shift = 0;     // bits held in pending
        int length = 0;    // UTF-8 byte count
        int i = from;
        while (i < to) {
            // Fast paths: four ASCII characters make one block, and an ASCII tail of one to three
            // characters finishes the hash, when no partial block is pending (most tokens).
            if (shift == 0) {
                int left = to - i;
                if (left >= 4) {
                    char c0 = text[i];
                    char c1 = text[i + 1];
                    char c2 = text[i + 2];
                    char c3 = text[i + 3];
                    if ((c0 | c1 | c2 | c3) < 0x80) {
                        h1 = mixBlock(h1, c0 | c1 << 8 | c2 << 16 | c3 << 24);
                        i += 4;
                        length += 4;
                        continue;
                    }
                }
                else {
                    int tail = 0;
                    int bits = 0;
                    for (int t = i; t < to; t++) {
                        char c = text[t];
                        bits |= c;
                        tail |= c << ((t - i) << 3);
                    }
                    if (bits < 0x80) {
                        h1 ^= mixK(tail);
                        return fmix(h1 ^ (length + left));
                    }
                }
            }
            char c = text[i++];
            int bytes;
            int count;
            if (c < 0x80) {
                bytes = c;
                count = 1;
            }
            else if (c < 0x800) {
                bytes = (0xc0 | c >> 6) | (0x80 | c & 0x3f) << 8;
                count = 2;
            }
            else if (Character.isHighSurrogate(c) && i < to && Character.isLowSurrogate(text[i])) {
                int cp = Character.toCodePoint(c, text[i++]);
                bytes = (0xf0 | cp >> 18) | (0x80 | cp >> 12 & 0x3f) << 8 | (0x80 | cp >> 6 & 0x3f) << 16
                        | (0x80 | cp & 0x3f) << 24;
                count = 4;
            }
            else {
                int cp = Character.isSurrogate(c) ? 0xfffd : c;
                bytes = (0xe0 | cp >> 12) | (0x80 | cp >> 6 & 0x3f) << 8 | (0x80 | cp & 0x3f) << 16;
                count = 3;
            }
            length += count;
            for (int b = 0; b < count; b++) {
                pending |= (bytes & 0xff) << shift;
                bytes >>>= 8;
                shift += 8;
                if (shift == 32) {
                    h1 = mixBlock(h1, pending);
                    pending = 0;
                    shift = 0;
                }
            }
        }
        if (shift != 0) {
            h1 ^= mixK(pending);
        }
        return fmix(h1 ^ length);
    }

    static int mixK(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    static int mixBlock(int h1, int k1) {
        h1 ^= mixK(k1);
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }

    static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
