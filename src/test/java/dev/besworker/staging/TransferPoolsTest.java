package dev.besworker.staging;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import dev.besworker.pipeline.RunLogListener;

import static org.assertj.core.api.Assertions.assertThat;

class TransferPoolsTest {

    private final ExecutorService pool = TransferPools.fixed("test-upload-", 1);

    @AfterEach
    void shutDown() throws InterruptedException {
        MDC.clear();
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aBlockTask_runsWithTheRunsLoggingContext_andLeavesNoneBehindOnItsThread() throws Exception {
        // given: the run's thread carries its execution and definition
        MDC.put(RunLogListener.EXECUTION, "42");
        MDC.put(RunLogListener.DEFINITION, "reviews");

        // when: a block is sent on the pool, and later one handed over from a thread without a run
        Map<String, String> inBlock = pool.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS);
        MDC.clear();
        Map<String, String> afterwards = pool.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS);
        String thread = pool.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);

        // then
        assertThat(inBlock).containsEntry(RunLogListener.EXECUTION, "42")
                .containsEntry(RunLogListener.DEFINITION, "reviews");
        assertThat(afterwards == null ? Map.of() : afterwards).isEmpty();
        assertThat(thread).startsWith("test-upload-");
    }
}
