package dev.besworker.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import com.sun.management.VMOption.Origin;

/**
 * The worker lowers the JVM's free-heap ratios only where the user left them alone, and the JVM
 * running it can give the C heap's free memory back.
 */
class ProcessMemoryTest {

    @ParameterizedTest(name = "min {0} ({1}, writeable {2}), max {3} ({4}): lowered {5}")
    @CsvSource({
            "40, DEFAULT,     true,  70, DEFAULT,     true",
            "40, DEFAULT,     true,  50, VM_CREATION, false",
            "30, ENVIRON_VAR, true,  70, DEFAULT,     false",
            "40, DEFAULT,     true,  70, CONFIG_FILE, false",
            "40, DEFAULT,     false, 70, DEFAULT,     false"})
    void theFreeHeapRatios_areLoweredOnlyWhereBothAreTheJvmsWritableDefaults(String min, Origin minOrigin,
            boolean writeable, String max, Origin maxOrigin, boolean lowered) {
        // given
        List<VMOption> options = List.of(new VMOption("MinHeapFreeRatio", min, writeable, minOrigin),
                new VMOption("MaxHeapFreeRatio", max, true, maxOrigin));

        // when / then
        assertThat(ProcessMemory.mayLower(options)).isEqualTo(lowered);
    }

    @Test
    void theJvmRunningTheWorker_letsItSetBothRatiosAtRunTime() {
        // given: this JVM (HotSpot, as the worker's)
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

        // then: both options exist and are writable, so the worker's setting is not a silent no-op
        List<VMOption> options = ProcessMemory.FREE_RATIOS.stream().map(ratio -> vm.getVMOption(ratio.getKey())).toList();
        assertThat(options).allSatisfy(option -> assertThat(option.isWriteable()).as(option.getName()).isTrue());
    }

    @Test
    void theJvmRunningTheWorker_givesTheFreeMemoryOfItsCHeapBack_andSaysHowMuch() {
        // given: this JVM (HotSpot 17.0.9 or later on glibc, as the worker's)

        // when
        var report = ProcessMemory.trimNativeHeap();

        // then: the JVM trimmed and reported the process's size before and after
        assertThat(report).hasValueSatisfying(text -> assertThat(text).startsWith("Trim native heap: RSS+Swap: ")
                .contains("->"));
    }
}
