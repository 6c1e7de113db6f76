package dev.besworker.emulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** An HTTP answer not yet sent, so that an "after" fault can replace it. */
record Reply(int status, byte[] body, String contentType, Map<String, String> headers) {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static Reply json(int status, Object value) {
        return new Reply(status, JSON.writeValueAsBytes(value), "application/json; charset=utf-8", Map.of());
    }

    static Reply empty(int status) {
        return new Reply(status, null, null, Map.of());
    }

    static Reply text(int status, String text) {
        return new Reply(status, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", Map.of());
    }

    Reply withHeaders(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.putAll(extra);
        return new Reply(status, body, contentType, merged);
    }
}
