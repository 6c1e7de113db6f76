package dev.besworker.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.besworker.definition.InputSpec;
import dev.besworker.definition.JobDefinition;

/**
 * What makes two runs the same work: the definition's name, the SHA-256 of the input bytes
 * (of every input, in order), and a hash of the effective request (service, input and output
 * names, global parameters).
 *
 * @param definition the definition's name
 * @param inputSha256 hex SHA-256 of the input, or of the inputs' hashes when there are several
 * @param requestHash hex hash of the effective request
 */
public record RunIdentity(String definition, String inputSha256, String requestHash) {

    /** The identity of scoring these inputs with this definition and these global parameters. */
    public static RunIdentity of(JobDefinition definition, List<InputFile> inputs, Map<String, String> globalParameters) {
        String inputHash = inputs.size() == 1 ? inputs.get(0).sha256()
                : sha256(String.join(",", inputs.stream().map(i -> i.name() + "=" + i.sha256()).toList()));
        StringBuilder request = new StringBuilder();
        // The raw endpoint, not the embedded emulator's port of the day, so that identity is stable.
        request.append("endpoint=").append(definition.bes().endpoint()).append('\n')
                .append("workspace=").append(definition.bes().workspace()).append('\n')
                .append("service=").append(definition.bes().service()).append('\n');
        for (InputSpec input : definition.inputs()) {
            request.append("input=").append(input.name()).append('\n');
        }
        for (String output : definition.outputs()) {
            request.append("output=").append(output).append('\n');
        }
        new TreeMap<>(globalParameters).forEach((k, v) -> request.append("param.").append(k).append('=').append(v).append('\n'));
        return new RunIdentity(definition.name(), inputHash, sha256(request.toString()).substring(0, 32));
    }

    /** The SHA-256 of the text (UTF-8) in hex. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
