package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

class BesJobStateTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest
    @CsvSource({"NotStarted, NOT_STARTED", "notstarted, NOT_STARTED", "NOT_STARTED, NOT_STARTED", "Running, RUNNING",
            "FAILED, FAILED", "Cancelled, CANCELLED", "Canceled, CANCELLED", "finished, FINISHED", "' Finished ', FINISHED",
            "0, NOT_STARTED", "4, FINISHED"})
    void parse_acceptsNamesInAnyCaseAndNumericStrings(String text, BesJobState expected) {
        // when
        BesJobState state = BesJobState.parse((Object) text);

        // then
        assertThat(state).isEqualTo(expected);
    }

    @Test
    void parse_acceptsNumbersAndJsonNodes() {
        // when / then
        assertThat(BesJobState.parse(Integer.valueOf(1))).isEqualTo(BesJobState.RUNNING);
        assertThat(BesJobState.parse(Long.valueOf(3))).isEqualTo(BesJobState.CANCELLED);
        assertThat(BesJobState.parse(JSON.readTree("2"))).isEqualTo(BesJobState.FAILED);
        assertThat(BesJobState.parse(JSON.readTree("\"Finished\""))).isEqualTo(BesJobState.FINISHED);
        assertThat(BesJobState.parse((Object) JSON.readTree("0"))).isEqualTo(BesJobState.NOT_STARTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "-1", "2.5", "\"Queued\"", "null", "true", "{}"})
    void parse_rejectsAnythingElse(String json) {
        // when / then
        assertThatThrownBy(() -> BesJobState.parse(JSON.readTree(json))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parse_rejectsNullAndOtherTypes() {
        // when / then
        assertThatThrownBy(() -> BesJobState.parse((Object) null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BesJobState.parse(Double.valueOf(1.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BesJobState.parse(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isTerminal_onlyForFailedCancelledAndFinished() {
        // when / then
        assertThat(BesJobState.NOT_STARTED.isTerminal()).isFalse();
        assertThat(BesJobState.RUNNING.isTerminal()).isFalse();
        assertThat(BesJobState.FAILED.isTerminal()).isTrue();
        assertThat(BesJobState.CANCELLED.isTerminal()).isTrue();
        assertThat(BesJobState.FINISHED.isTerminal()).isTrue();
    }

    @Test
    void codesAndWireNames_matchTheProtocol() {
        // when / then
        for (BesJobState state : BesJobState.values()) {
            assertThat(BesJobState.ofCode(state.code())).isEqualTo(state);
            assertThat(BesJobState.parse((Object) state.wireName())).isEqualTo(state);
        }
        assertThat(BesJobState.FINISHED.code()).isEqualTo(4);
        assertThat(BesJobState.NOT_STARTED.wireName()).isEqualTo("NotStarted");
    }
}
