package dev.besworker.staging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatNoException;

class StagingPreinitializerTest {

    @Test
    void preinitializesWithoutAStorageServiceToTalkTo() {
        // Boot swallows whatever a background pre-initializer throws: a failure would only show
        // as a slower start, so it is checked here.
        assertThatNoException().isThrownBy(new StagingPreinitializer()::preinitialize);
    }
}
