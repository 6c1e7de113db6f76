package dev.besworker.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FeatureHasherTest {

    /** One row of golden/feature-hashing.csv, made by make-golden.mjs with the npm murmurhash. */
    record Golden(String text, int bits, int ngrams, List<Long> hashes, TreeMap<Integer, Integer> features) {
        @Override
        public String toString() {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            return "'" + shown.replace("\n", "\\n").replace("\t", "\\t") + "' bits=" + bits + " ngrams=" + ngrams;
        }
    }

    static List<Golden> golden() throws IOException {
        List<Golden> out = new ArrayList<>();
        try (Reader reader = new InputStreamReader(
                FeatureHasherTest.class.getResourceAsStream("/golden/feature-hashing.csv"), StandardCharsets.UTF_8)) {
            for (CSVRecord record : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                List<Long> hashes = new ArrayList<>();
                for (String h : record.get("hashes").split(" ")) {
                    if (!h.isEmpty()) {
                        hashes.add(Long.parseLong(h));
                    }
                }
                TreeMap<Integer, Integer> features = new TreeMap<>();
                for (String pair : record.get("features").split(" ")) {
                    if (!pair.isEmpty()) {
                        String[] parts = pair.split(":");
                        features.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                    }
                }
                out.add(new Golden(record.get("text"), Integer.parseInt(record.get("bits")),
                        Integer.parseInt(record.get("ngrams")), hashes, features));
            }
        }
        return out;
    }

    static Stream<Golden> goldenRows() throws IOException {
        return golden().stream();
    }

    @Test
    void publishedExample_givesDocumentedVector() {
        // given
        FeatureHasher hasher = new FeatureHasher(3, 2);

        // when
        int[] features = hasher.features("This is a good day");

        // then
        assertThat(features).containsExactly(1, 1, 2, 2, 0, 2, 0, 1);
    }

    @Test
    void murmur3_matchesPublishedReferenceValues() {
        // given
        byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);

        // when / then (values from the SMHasher reference implementation)
        assertThat(Murmur3.hash32(new byte[0], 0, 0, 0)).isZero();
        assertThat(Murmur3.hash32(new byte[0], 0, 0, 1)).isEqualTo(0x514e28b7);
        assertThat(Murmur3.hash32(fox, 0, fox.length, 0)).isEqualTo(0x2e4ff723);
        assertThat(Murmur3.hashUtf8("hello", 0)).isEqualTo(0x248bfa47);
        assertThat(Murmur3.hashUtf8("The quick brown fox jumps over the lazy dog", 0)).isEqualTo(0x2e4ff723);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "ab", "abc", "abcd", "abcde", "é", "aé", "aaé", "aaaé", "日本語", "😀", "a😀b",
            "mixed ASCII和中文 text", "Ünïcödé 数据 emoji😀 and more text to pass several blocks"})
    void hashUtf8_equalsHashOfEncodedBytes(String text) {
        // given
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

        // when
        int fromChars = Murmur3.hashUtf8(text, 0, text.length(), 0);
        int fromBytes = Murmur3.hash32(bytes, 0, bytes.length, 0);

        // then
        assertThat(fromChars).isEqualTo(fromBytes);
    }

    @Test
    void hashUtf8_encodesLoneSurrogateAsReplacementCharacter() {
        // given
        String lone = "a\ud800b";
        byte[] replaced = "a\ufffdb".getBytes(StandardCharsets.UTF_8);

        // when
        int hash = Murmur3.hashUtf8(lone, 0);

        // then
        assertThat(hash).isEqualTo(Murmur3.hash32(replaced, 0, replaced.length, 0));
    }

    @ParameterizedTest
    @MethodSource("goldenRows")
    void goldenVector_matchesIndependentImplementation(Golden golden) {
        // given
        FeatureHasher hasher = new FeatureHasher(golden.bits(), golden.ngrams());
        List<String> tokens = Arrays.stream(golden.text().split("[ \\t\\n\\u000B\\f\\r]+")).filter(t -> !t.isEmpty()).toList();

        // when
        List<Long> hashes = tokens.stream().map(t -> Integer.toUnsignedLong(FeatureHasher.tokenHash(t))).toList();
        TreeMap<Integer, Integer> sparse = new TreeMap<>();
        hasher.forEachBucket(golden.text(), bucket -> sparse.merge(bucket, 1, Integer::sum));

        // then
        assertThat(hashes).isEqualTo(golden.hashes());
        assertThat(sparse).isEqualTo(golden.features());
        if (golden.bits() <= FeatureHasher.MAX_DENSE_BITS) {
            int[] expected = new int[1 << golden.bits()];
            golden.features().forEach((bucket, count) -> expected[bucket] = count);
            assertThat(hasher.features(golden.text())).isEqualTo(expected);
        }
    }

    @Test
    void goldenFile_coversTheAgreedCases() throws IOException {
        // given
        List<Golden> rows = golden();

        // when
        Set<String> texts = new HashSet<>();
        Set<String> configs = new HashSet<>();
        rows.forEach(g -> {
            texts.add(g.text());
            configs.add(g.bits() + "/" + g.ngrams());
        });

        // then
        assertThat(texts).hasSizeGreaterThanOrEqualTo(30)
                .contains("This is a good day", "")
                .anyMatch(t -> t.contains("\n"))
                .anyMatch(t -> t.contains("\t"))
                .anyMatch(t -> t.codePoints().anyMatch(cp -> cp > 0xffff))
                .anyMatch(t -> t.length() > 1000);
        assertThat(configs).contains("3/2", "3/1", "1/2", "10/2", "16/1", "31/2");
    }

    @Test
    void emptyAndBlankText_giveZeros() {
        // given
        FeatureHasher hasher = new FeatureHasher(3, 2);

        // when / then
        assertThat(hasher.features("")).containsOnly(0);
        assertThat(hasher.features(" \t\r\n\u000b\f ")).containsOnly(0);
        assertThat(hasher.features(null)).containsOnly(0);
    }

    @Test
    void unigramsOnly_countOneFeaturePerToken() {
        // given
        FeatureHasher unigrams = new FeatureHasher(4, 1);
        FeatureHasher bigrams = new FeatureHasher(4, 2);
        String text = "one two three two one";

        // when
        int unigramTotal = Arrays.stream(unigrams.features(text)).sum();
        int bigramTotal = Arrays.stream(bigrams.features(text)).sum();

        // then
        assertThat(unigramTotal).isEqualTo(5);
        assertThat(bigramTotal).isEqualTo(5 + 4);
    }

    @Test
    void tokens_keepCaseAndSplitOnlyOnAsciiWhitespace() {
        // given
        FeatureHasher hasher = new FeatureHasher(20, 1);
        List<Integer> buckets = new ArrayList<>();

        // when
        hasher.forEachBucket("Word word non\u00a0breaking", buckets::add);

        // then: three tokens; the no-break space stays inside its token
        assertThat(buckets).hasSize(3);
        assertThat(buckets.get(0)).isNotEqualTo(buckets.get(1));
        assertThat(buckets.get(2)).isEqualTo(FeatureHasher.tokenHash("non\u00a0breaking") & 0xfffff);
    }

    @Test
    void bitEdges_oneAndThirtyOneBitsMaskTheHash() {
        // given
        FeatureHasher one = new FeatureHasher(1, 1);
        FeatureHasher thirtyOne = new FeatureHasher(31, 1);
        int hash = FeatureHasher.tokenHash("day");
        List<Integer> wide = new ArrayList<>();

        // when
        int[] narrow = one.features("day");
        thirtyOne.forEachBucket("day", wide::add);

        // then
        assertThat(one.dimension()).isEqualTo(2);
        assertThat(narrow[hash & 1]).isEqualTo(1);
        assertThat(wide).containsExactly(hash & 0x7fffffff);
        assertThatThrownBy(thirtyOne::dimension).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 32, -1})
    void bits_outsideOneToThirtyOne_areRejected(int bits) {
        assertThatThrownBy(() -> new FeatureHasher(bits, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bits must be 1..31");
    }

    @Test
    void ngramsOtherThanOneOrTwo_areRejected() {
        assertThatThrownBy(() -> new FeatureHasher(3, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ngrams");
    }
}
