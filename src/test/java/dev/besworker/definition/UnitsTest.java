package dev.besworker.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({
            "500ms, 500",
            "2s, 2000",
            "10m, 600000",
            "6h, 21600000",
            "1d, 86400000",
            "1h30m, 5400000",
            "1m 30s, 90000",
            "PT2S, 2000",
            "pt1m30s, 90000",
            "P1D, 86400000",
            "0s, 0",
            "2S, 2000"})
    void durations_parseInEveryWrittenForm(String text, long millis) {
        // given a written duration

        // when
        Duration duration = Units.duration(text);

        // then
        assertThat(duration).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "2 minutes", "s", "1.5s", "PT", "-", "10 m s"})
    void nonDurations_areRefused(String text) {
        // given text that is not a duration

        // when / then
        assertThatThrownBy(() -> Units.duration(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durationWithoutUnit_saysSo() {
        // given a bare number

        // when / then
        assertThatThrownBy(() -> Units.duration("30")).hasMessage("\"30\" has no unit");
    }

    @ParameterizedTest
    @CsvSource({
            "1048576, 1048576",
            "512KiB, 524288",
            "1MiB, 1048576",
            "1 MiB, 1048576",
            "2GiB, 2147483648",
            "1KB, 1000",
            "3MB, 3000000",
            "100B, 100",
            "64k, 65536",
            "1m, 1048576"})
    void sizes_parseWithBinaryAndDecimalUnits(String text, long bytes) {
        // given a written size

        // when
        long parsed = Units.bytes(text);

        // then
        assertThat(parsed).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "1.5MiB", "1 parsec", "-1", "99999999999999999999"})
    void nonSizes_areRefused(String text) {
        // given text that is not a size

        // when / then
        assertThatThrownBy(() -> Units.bytes(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"500, 500ms", "2000, 2s", "600000, 10m", "5400000, 1h30m", "86400000, 1d", "0, 0s", "1500, 1s500ms"})
    void format_writesShortForms(long millis, String expected) {
        // given
        Duration duration = Duration.ofMillis(millis);

        // when
        String text = Units.format(duration);

        // then
        assertThat(text).isEqualTo(expected);
        assertThat(Units.duration(text)).isEqualTo(duration);
    }

    @Test
    void format_dropsMillisecondsFromAMinuteOn_soElapsedTimesReadShort() {
        // given an elapsed time of 3 min 5.12 s

        // when
        String text = Units.format(Duration.ofMillis(185_120));

        // then
        assertThat(text).isEqualTo("3m5s");
    }
}
