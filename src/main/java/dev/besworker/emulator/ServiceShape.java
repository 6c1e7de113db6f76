package dev.besworker.emulator;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The inputs and outputs of a web service the emulator serves: every service id has the
 * reference experiment's one input and one output, except {@link EmulatorSettings#TWO_INPUT_SERVICE},
 * a two-input experiment whose {@code input1} is scored into {@code output1} and {@code input2}
 * into {@code output2}, each with the service's Feature Hashing.
 *
 * @param inputs  input names, in order
 * @param outputs output names, the i-th scored from the i-th input
 */
record ServiceShape(List<String> inputs, List<String> outputs) {

    private static final ServiceShape ONE_INPUT = new ServiceShape(List.of(EmulatorSettings.INPUT_NAME),
            List.of(EmulatorSettings.OUTPUT_NAME));
    private static final ServiceShape TWO_INPUTS = new ServiceShape(List.of(EmulatorSettings.INPUT_NAME, "input2"),
            List.of(EmulatorSettings.OUTPUT_NAME, "output2"));

    /** The shape of the service with this id (case does not matter). */
    static ServiceShape of(String serviceId) {
        return EmulatorSettings.TWO_INPUT_SERVICE.equalsIgnoreCase(serviceId) ? TWO_INPUTS : ONE_INPUT;
    }

    Set<String> inputNames() {
        return new LinkedHashSet<>(inputs);
    }

    Set<String> outputNames() {
        return new LinkedHashSet<>(outputs);
    }
}
