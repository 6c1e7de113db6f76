package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class BlockBuffersTest {

    @Test
    void aBufferGivenBackIsTheOneTakenNext() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        byte[] first = pool.take(40, 0);
        pool.give(first);
        assertThat(pool.take(40, 0)).isSameAs(first);
        assertThat(pool.held()).isEqualTo(40);
    }

    @Test
    void takersWaitAtTheLimitUntilABufferComesBack() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        byte[] a = pool.take(40, 0);
        byte[] b = pool.take(40, 0);
        assertThat(pool.take(40, 50)).as("a third would pass 100 bytes").isNull();
        CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.take(40, 10_000);
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        pool.give(a);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isSameAs(a);
        pool.give(b);
        assertThat(pool.held()).isEqualTo(80);
    }

    @Test
    void oneBufferIsAlwaysGrantedAndOtherSizesMakeRoom() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        byte[] big = pool.take(500, 0);
        assertThat(big).hasSize(500);
        pool.give(big);
        assertThat(pool.held()).as("above the limit: not kept").isZero();
        pool.give(pool.take(60, 0));
        byte[] other = pool.take(80, 0);
        assertThat(other).hasSize(80);
        assertThat(pool.held()).as("the idle 60 went to make room").isEqualTo(80);
    }

    @Test
    void theLimitOnlyGrows() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        pool.atLeast(50);
        pool.take(60, 0);
        assertThat(pool.take(60, 0)).isNull();
        pool.atLeast(200);
        assertThat(pool.take(60, 0)).hasSize(60);
    }
}
