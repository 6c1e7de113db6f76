package dev.besworker.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class BlockBuffersTest {

    @Test
    void aBufferGivenBackIsTheOneTakenNext_cleared() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        ByteBuffer first = pool.take(40, 0);
        first.put(new byte[10]).flip();
        pool.give(first);
        assertThat(pool.take(40, 0)).isSameAs(first);
        assertThat(first.position()).isZero();
        assertThat(first.limit()).isEqualTo(40);
        assertThat(pool.held()).isEqualTo(40);
    }

    @Test
    void takersWaitAtTheLimitUntilABufferComesBack() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        ByteBuffer a = pool.take(40, 0);
        ByteBuffer b = pool.take(40, 0);
        assertThat(pool.take(40, 50)).as("a third would pass 100 bytes").isNull();
        CompletableFuture<ByteBuffer> waiting = CompletableFuture.supplyAsync(() -> {
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
        ByteBuffer big = pool.take(500, 0);
        assertThat(big.capacity()).isEqualTo(500);
        assertThat(big.isDirect()).isTrue();
        pool.give(big);
        assertThat(pool.held()).as("above the limit: not kept").isZero();
        pool.give(pool.take(60, 0));
        ByteBuffer other = pool.take(80, 0);
        assertThat(other.capacity()).isEqualTo(80);
        assertThat(pool.held()).as("the idle 60 went to make room").isEqualTo(80);
    }

    @Test
    void theLimitOnlyGrows() throws Exception {
        BlockBuffers pool = new BlockBuffers(100);
        pool.atLeast(50);
        pool.take(60, 0);
        assertThat(pool.take(60, 0)).isNull();
        pool.atLeast(200);
        assertThat(pool.take(60, 0).capacity()).isEqualTo(60);
    }

    @Test
    void idleBuffersAreLetGoWhenNoTransferUsesThePool() throws Exception {
        // given a pool whose transfer has given its buffers back
        BlockBuffers pool = new BlockBuffers(100);
        ByteBuffer a = pool.take(40, 0);
        ByteBuffer b = pool.take(40, 0);
        pool.give(a);
        pool.give(b);

        // when the pass is over
        long released = pool.releaseIdle();

        // then the pool keeps nothing, and the next transfer gets buffers of its own
        assertThat(released).isEqualTo(80);
        assertThat(pool.held()).isZero();
        ByteBuffer next = pool.take(40, 0);
        assertThat(next).isNotSameAs(a).isNotSameAs(b);
        assertThat(pool.held()).isEqualTo(40);
    }

    @Test
    void whileATransferStillUsesABufferThePoolKeepsTheIdleOnesForIt() throws Exception {
        // given one buffer back in the pool and one still in use (another run uploading)
        BlockBuffers pool = new BlockBuffers(100);
        ByteBuffer a = pool.take(40, 0);
        ByteBuffer inUse = pool.take(40, 0);
        pool.give(a);

        // when a pass ends
        long released = pool.releaseIdle();

        // then nothing is let go: the other transfer takes the idle buffer next
        assertThat(released).isZero();
        assertThat(pool.held()).isEqualTo(80);
        assertThat(pool.take(40, 0)).isSameAs(a);
        pool.give(inUse);
    }
}
