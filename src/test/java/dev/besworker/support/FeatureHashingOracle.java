package dev.besworker.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Expected Feature Hashing counts from an independent implementation: the npm {@code murmurhash}
 * package run by {@code src/test/resources/oracle/feature-hashing.cjs}, not the emulator's code.
 */
public final class FeatureHashingOracle {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FeatureHashingOracle() {
    }

    /** One array of 2^bits counts per text. */
    public static List<List<Integer>> features(List<String> texts, int bits, int ngrams) {
        Path project = Path.of("").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder("node", project.resolve("src/test/resources/oracle/feature-hashing.cjs").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("NODE_PATH", project.resolve("node_modules").toString());
        try {
            Process process = builder.start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(JSON.writeValueAsString(Map.of("bits", bits, "ngrams", ngrams, "texts", texts))
                        .getBytes(StandardCharsets.UTF_8));
            }
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("the Feature Hashing oracle failed");
            }
            return JSON.readValue(output, new TypeReference<List<List<Integer>>>() { });
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
