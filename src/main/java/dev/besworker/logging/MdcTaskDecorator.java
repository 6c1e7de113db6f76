package dev.besworker.logging;

import java.util.Map;

import org.slf4j.MDC;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs a task with the logging context (MDC) of the thread that handed it over, so that a pool
 * thread's lines carry the run's execution id and definition like the run's own; the pool
 * thread's context is put back afterwards.
 */
public final class MdcTaskDecorator implements TaskDecorator {

    @Override
    public Runnable decorate(Runnable task) {
        Map<String, String> handedOver = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> own = MDC.getCopyOfContextMap();
            use(handedOver);
            try {
                task.run();
            }
            finally {
                use(own);
            }
        };
    }

    private static void use(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        }
        else {
            MDC.setContextMap(context);
        }
    }
}
