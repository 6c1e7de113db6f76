package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The scanner's verdict must not depend on where the chunks happen to split the input. */
class CsvScannerTest {

    static Stream<Path> inputs() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> bad = Files.list(Path.of("sample-data", "bad"))) {
            bad.filter(p -> p.toString().endsWith(".csv")).sorted().forEach(files::add);
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void anyChunking_givesTheSameVerdictAsOneChunk(Path file) throws IOException {
        // given
        byte[] bytes = Files.readAllBytes(file);
        InputRules rules = new InputRules(List.of("Col2"), ',', 256);
        String whole = verdict(rules, bytes, new int[] {bytes.length});

        // when
        List<String> split = new ArrayList<>();
        split.add(verdict(rules, bytes, ones(bytes.length)));
        Random random = new Random(file.hashCode());
        for (int round = 0; round < 20; round++) {
            split.add(verdict(rules, bytes, randomChunks(bytes.length, random)));
        }

        // then
        assertThat(split).allSatisfy(result -> assertThat(result).isEqualTo(whole));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodInputs")
    void anyChunking_acceptsGoodInput(String text) {
        // given
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        InputRules rules = new InputRules(List.of("Col2"), ',', 0);

        // when
        String whole = verdict(rules, bytes, new int[] {bytes.length});
        String bytewise = verdict(rules, bytes, ones(bytes.length));

        // then
        assertThat(whole).startsWith("OK");
        assertThat(bytewise).isEqualTo(whole);
    }

    static Stream<String> goodInputs() {
        return Stream.of(
                "\uFEFFid,Col2\r\n1,\"a\r\nb\"\r\n2,\"x \"\"y\"\"\"\r\n",
                "id,Col2\r1,a\r2,b",
                "Col2\n𐀀€ü\n\"\"\n",
                "id,Col2\n1,\"quoted\"  \n2,b\"c\n");
    }

    private static String verdict(InputRules rules, byte[] bytes, int[] chunks) {
        CsvScanner scanner = new CsvScanner(rules);
        try {
            int offset = 0;
            boolean first = true;
            for (int length : chunks) {
                if (length == 0) {
                    continue;
                }
                // the scanner's contract: the first chunk holds at least three bytes (or everything)
                int take = first ? Math.min(bytes.length, Math.max(length, 3)) : Math.min(length, bytes.length - offset);
                if (take <= 0) {
                    break;
                }
                byte[] chunk = new byte[take + 7];
                System.arraycopy(bytes, offset, chunk, 5, take); // an offset inside the array, as callers may use
                scanner.feed(chunk, 5, take);
                offset += take;
                first = false;
            }
            scanner.finish();
            return "OK " + scanner.dataRows() + " " + scanner.header();
        }
        catch (CsvScanner.Problem problem) {
            return "line " + problem.line + ": " + problem.problem.replaceAll("\\d+ bytes long", "N bytes long")
                    + " / " + problem.fix;
        }
    }

    private static int[] ones(int n) {
        int[] chunks = new int[n];
        java.util.Arrays.fill(chunks, 1);
        return chunks;
    }

    private static int[] randomChunks(int n, Random random) {
        List<Integer> chunks = new ArrayList<>();
        for (int done = 0; done < n; ) {
            int length = 1 + random.nextInt(Math.max(1, Math.min(40, n - done)));
            chunks.add(length);
            done += length;
        }
        return chunks.stream().mapToInt(Integer::intValue).toArray();
    }
}
