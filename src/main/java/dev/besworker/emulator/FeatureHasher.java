package dev.besworker.emulator;

import java.util.function.IntConsumer;

/**
 * The Feature Hashing module of the reference experiment (Vowpal Wabbit style), as
 * {@code /work/shared/bes-api.md} defines it:
 * <ul>
 * <li>tokens are the text split on ASCII whitespace (space, tab, LF, VT, FF, CR), case kept;</li>
 * <li>a unigram hashes to {@code murmur3_x86_32(UTF-8 bytes, seed 0)};</li>
 * <li>the bigram of consecutive tokens a, b hashes to {@code (h(a) * 27942141 + h(b)) mod 2^32};</li>
 * <li>a hash lands in bucket {@code h & (2^bits - 1)}; a feature is the number of unigrams and
 * (with {@code ngrams == 2}) bigrams in its bucket.</li>
 * </ul>
 * "This is a good day" with bits 3 and n-grams 2 gives {@code 1 1 2 2 0 2 0 1}. Empty or
 * all-whitespace text gives zeros. Instances are immutable and thread-safe.
 */
public final class FeatureHasher {

    /** The multiplier that combines two unigram hashes into a bigram hash. */
    public static final int BIGRAM_MULTIPLIER = 27942141;

    /** The largest bit size {@link #features} materialises (16M columns is already absurd). */
    public static final int MAX_DENSE_BITS = 24;

    private final int bits;
    private final int ngrams;
    private final int mask;

    /**
     * @param bits   1..31: the feature vector has 2^bits entries
     * @param ngrams 1 (unigrams) or 2 (unigrams and bigrams)
     */
    public FeatureHasher(int bits, int ngrams) {
        if (bits < 1 || bits > 31) {
            throw new IllegalArgumentException("bits must be 1..31, was " + bits);
        }
        if (ngrams < 1 || ngrams > 2) {
            throw new IllegalArgumentException("ngrams must be 1 or 2, was " + ngrams);
        }
        this.bits = bits;
        this.ngrams = ngrams;
        this.mask = (int) ((1L << bits) - 1);
    }

    /** The hash bit size. */
    public int bits() {
        return bits;
    }

    /** The n-gram length: 1 or 2. */
    public int ngrams() {
        return ngrams;
    }

    /** The number of features, 2^bits; only for bits up to {@link #MAX_DENSE_BITS}. */
    public int dimension() {
        requireDense();
        return 1 << bits;
    }

    /** The unigram hash of one token: murmur3_x86_32 of its UTF-8 bytes, seed 0. */
    public static int tokenHash(CharSequence token) {
        return Murmur3.hashUtf8(token, 0, token.length(), 0);
    }

    /** The bigram hash of two consecutive tokens' unigram hashes. */
    public static int bigramHash(int first, int second) {
        // int arithmetic wraps, which is exactly mod 2^32
        return first * BIGRAM_MULTIPLIER + second;
    }

    /** A new feature vector of {@link #dimension()} counts for the text (null counts as empty). */
    public int[] features(CharSequence text) {
        int[] counts = new int[dimension()];
        addFeatures(text, counts);
        return counts;
    }

    /**
     * Adds the text's unigram and bigram counts to {@code counts} (length at least 2^bits); the
     * caller clears it between rows. This is the allocation-free path the CSV transform uses.
     */
    public void addFeatures(CharSequence text, int[] counts) {
        if (text == null) {
            return;
        }
        char[] chars = text.toString().toCharArray();
        addFeatures(chars, 0, chars.length, counts);
    }

    /**
     * As {@link #addFeatures(CharSequence, int[])} over {@code chars[from, to)}: the hot path of
     * the CSV transform, which copies each field into one reused array.
     */
    public void addFeatures(char[] chars, int from, int to, int[] counts) {
        int previous = 0;
        boolean havePrevious = false;
        int i = from;
        while (i < to) {
            while (i < to && isAsciiWhitespace(chars[i])) {
                i++;
            }
            if (i == to) {
                break;
            }
            int start = i;
            // One pass finds the token's end and hashes it while it is ASCII (the common case);
            // a token with other characters is hashed again from its start by the general path.
            int h1 = 0;
            int pending = 0;
            int shift = 0;
            boolean ascii = true;
            while (i < to) {
                char c = chars[i];
                if (c >= 0x80) {
                    ascii = false;
                    break;
                }
                if (c <= ' ' && isAsciiWhitespace(c)) {
                    break;
                }
                pending |= c << shift;
                shift += 8;
                if (shift == 32) {
                    h1 = Murmur3.mixBlock(h1, pending);
                    pending = 0;
                    shift = 0;
                }
                i++;
            }
            int h;
            if (ascii) {
                if (shift != 0) {
                    h1 ^= Murmur3.mixK(pending);
                }
                h = Murmur3.fmix(h1 ^ (i - start));
            }
            else {
                while (i < to && !isAsciiWhitespace(chars[i])) {
                    i++;
                }
                h = Murmur3.hashUtf8(chars, start, i, 0);
            }
            counts[h & mask]++;
            if (ngrams == 2 && havePrevious) {
                counts[bigramHash(previous, h) & mask]++;
            }
            previous = h;
            havePrevious = true;
        }
    }

    /**
     * Reports the bucket of every unigram and bigram of the text, in text order (a unigram, then
     * the bigram it closes). Works for every bit size, including those too large to materialise.
     */
    public void forEachBucket(CharSequence text, IntConsumer bucketSink) {
        if (text == null) {
            return;
        }
        int length = text.length();
        int previous = 0;
        boolean havePrevious = false;
        int i = 0;
        while (i < length) {
            while (i < length && isAsciiWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == length) {
                break;
            }
            int start = i;
            while (i < length && !isAsciiWhitespace(text.charAt(i))) {
                i++;
            }
            int h = Murmur3.hashUtf8(text, start, i, 0);
            bucketSink.accept(h & mask);
            if (ngrams == 2 && havePrevious) {
                bucketSink.accept(bigramHash(previous, h) & mask);
            }
            previous = h;
            havePrevious = true;
        }
    }

    /** Whether the character separates tokens: space, tab, LF, VT, FF or CR. */
    public static boolean isAsciiWhitespace(char c) {
        return c == ' ' || (c <= '\r' && c >= '\t');
    }

    private void requireDense() {
        if (bits > MAX_DENSE_BITS) {
            throw new IllegalStateException("bits " + bits + " is too large for a dense feature vector (max "
                    + MAX_DENSE_BITS + "); use forEachBucket");
        }
    }

    @Override
    public String toString() {
        return "FeatureHasher[bits=" + bits + ", ngrams=" + ngrams + "]";
    }
}
