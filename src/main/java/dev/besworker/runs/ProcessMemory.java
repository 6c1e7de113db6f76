package dev.besworker.runs;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;

import javax.management.JMException;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

/**
 * What the worker's process does for its own memory, through the JVM's management interface (as
 * {@code jcmd} would from outside; the user sets no option): keep less of the heap free after a
 * full collection, and give the C heap's free memory back to the operating system.
 */
public final class ProcessMemory {

    /**
     * The free-heap ratios (percent) {@link #keepLessFreeHeap()} sets, in the order the JVM takes
     * them: the minimum first, since it refuses a maximum below the current minimum.
     */
    static final List<Entry<String, String>> FREE_RATIOS = List.of(Map.entry("MinHeapFreeRatio", "10"),
            Map.entry("MaxHeapFreeRatio", "20"));

    private static final Logger log = LoggerFactory.getLogger(ProcessMemory.class);

    private ProcessMemory() {
    }

    /**
     * Keeps at most 20 % of the heap free after a full collection (the JVM's default is 70 %),
     * and grows it when less than 10 % is free (40 %): the collector then sizes the heap to what
     * is live rather than to the last burst of garbage, and still grows it for the next burst.
     * Both are manageable HotSpot options; where a user set either (or the JVM has no such
     * options) they are left as they are.
     *
     * @return whether the ratios are now the worker's
     */
    public static boolean keepLessFreeHeap() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            List<VMOption> current = FREE_RATIOS.stream().map(ratio -> vm.getVMOption(ratio.getKey())).toList();
            if (mayLower(current)) {
                FREE_RATIOS.forEach(ratio -> vm.setVMOption(ratio.getKey(), ratio.getValue()));
                return true;
            }
        }
        catch (RuntimeException ex) {
            // not HotSpot, or its options changed: the heap is only sized less tightly
            log.debug("free-heap ratios left as they are: {}", ex.toString());
        }
        return false;
    }

    /** Whether the worker may set {@link #FREE_RATIOS}: each option there, writable and not set by the user. */
    static boolean mayLower(List<VMOption> options) {
        return options.size() == FREE_RATIOS.size() && options.stream().allMatch(option -> option != null
                && option.isWriteable() && option.getOrigin() == VMOption.Origin.DEFAULT);
    }

    /**
     * Gives the C heap's free memory back to the operating system: the JVM's
     * {@code System.trim_native_heap} command (glibc's {@code malloc_trim}; JDK 17.0.9 and later).
     * The C heap keeps what threads freed in per-thread arenas, and a process whose threads
     * allocate and free a lot (HTTP clients, the JIT, class loading for each run's work) holds
     * tens of MB that no one uses.
     *
     * @return the JVM's report ({@code Trim native heap: RSS+Swap: 382M->338M (-44164K)}), or
     *     empty where the JVM has no such command or the C library cannot trim (it says "Not available")
     */
    public static Optional<String> trimNativeHeap() {
        try {
            Object report = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String text = String.valueOf(report).strip();
            return text.contains("Not available") ? Optional.empty() : Optional.of(text);
        }
        catch (JMException | RuntimeException ex) {
            log.debug("the native heap cannot be trimmed here: {}", ex.toString());
            return Optional.empty();
        }
    }
}
