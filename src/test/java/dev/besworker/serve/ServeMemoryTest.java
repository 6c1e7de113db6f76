package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Serve gives the C heap's free memory back while runs come and go, and leaves an idle serve alone. */
class ServeMemoryTest {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger trims = new AtomicInteger();

    @Test
    void whileRunsAreInFlight_eachTurnTrims_thenOnceMoreAfterTheLastEnded_thenNotWhileIdle() {
        // given
        ServeMemory memory = new ServeMemory(running::get, () -> {
            trims.incrementAndGet();
            return Optional.of("Trim native heap: RSS+Swap: 382M->338M (-44164K)");
        });

        // when / then
        memory.tick();
        assertThat(trims).as("idle from the start").hasValue(0);
        running.set(8);
        memory.tick();
        memory.tick();
        assertThat(trims).as("two turns with runs in flight").hasValue(2);
        running.set(0);
        memory.tick();
        assertThat(trims).as("the turn after the last run ended").hasValue(3);
        memory.tick();
        memory.tick();
        assertThat(trims).as("idle again").hasValue(3);
    }

    @Test
    void whereTheCHeapCannotBeTrimmed_itIsNotTriedAgain() {
        // given: a JVM without the command, or a C library that cannot trim
        ServeMemory memory = new ServeMemory(running::get, () -> {
            trims.incrementAndGet();
            return Optional.empty();
        });
        running.set(8);

        // when
        memory.tick();
        memory.tick();
        memory.tick();

        // then
        assertThat(trims).hasValue(1);
    }
}
