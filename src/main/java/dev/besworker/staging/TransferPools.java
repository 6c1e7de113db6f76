package dev.besworker.staging;

import java.util.concurrent.ExecutorService;

import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.besworker.logging.MdcTaskDecorator;

/**
 * The thread pools that send blocks: a fixed number of daemon threads named {@code PREFIX<n>},
 * each task run with the logging context (MDC) of the thread that handed it over, so that their
 * lines carry the run's execution id and definition.
 */
final class TransferPools {

    private TransferPools() {
    }

    /** A pool of {@code threads} threads; its owner shuts it down. */
    static ExecutorService fixed(String prefix, int threads) {
        ThreadPoolTaskExecutor pool = new ThreadPoolTaskExecutor();
        pool.setCorePoolSize(threads);
        pool.setMaxPoolSize(threads);
        pool.setThreadNamePrefix(prefix);
        pool.setDaemon(true);
        pool.setTaskDecorator(new MdcTaskDecorator());
        pool.initialize();
        return pool.getThreadPoolExecutor();
    }
}
