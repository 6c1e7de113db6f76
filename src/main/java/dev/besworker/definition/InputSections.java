package dev.besworker.definition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.util.unit.DataSize;

/** Validates the bound {@code input:} / {@code inputs:} and {@code outputs:} of a definition. */
record InputSections(Reading r) {

    /** The inputs, or null with the problems reported. */
    List<InputSpec> inputs(DefinitionFile file) {
        boolean single = r.has("input") || r.failed("input");
        boolean list = r.has("inputs") || r.failed("inputs");
        if (single && list) {
            r.problem("inputs", "both input and inputs are set; keep one (input for a single input, inputs for a"
                    + " list of several)");
            return null;
        }
        if (!single && !list) {
            r.problem("input", 0, "missing; add input: {name: input1, required-columns: [...]} (or inputs: [...]"
                    + " for a service with several inputs)");
            return null;
        }
        if (single) {
            if (r.failed("input")) {
                return null;
            }
            InputSpec spec = inputSpec("input", orEmpty(file.input()), "input1");
            return spec == null ? null : List.of(spec);
        }
        if (r.failed("inputs")) {
            return null;
        }
        List<DefinitionFile.Input> items = file.inputs() == null ? List.of() : file.inputs();
        if (items.isEmpty()) {
            r.problem("inputs", "is empty; list the service's inputs, e.g. [{name: input1}]");
            return null;
        }
        List<InputSpec> specs = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String path = "inputs[" + i + "]";
            if (r.failed(path)) {
                ok = false;
                continue;
            }
            if (!r.has(path + ".name") && !r.failed(path + ".name")) {
                r.problem(path + ".name", r.line(path), "missing; each of several inputs needs the service's input"
                        + " name, e.g. name: input" + (i + 1));
                ok = false;
                continue;
            }
            InputSpec spec = inputSpec(path, orEmpty(items.get(i)), null);
            if (spec == null) {
                ok = false;
                continue;
            }
            Integer previous = seen.putIfAbsent(spec.name(), i);
            if (previous != null) {
                r.problem(path + ".name", "\"" + spec.name() + "\" is already the name of inputs[" + previous
                        + "]; input names must be unique");
                ok = false;
            }
            specs.add(spec);
        }
        return ok ? specs : null;
    }

    private static DefinitionFile.Input orEmpty(DefinitionFile.Input input) {
        return input != null ? input : new DefinitionFile.Input(null, null, null, null);
    }

    private InputSpec inputSpec(String path, DefinitionFile.Input input, String defaultName) {
        String namePath = path + ".name";
        String name = input.name();
        boolean ok = true;
        if (name == null || name.isEmpty()) {
            if (r.has(namePath) || r.failed(namePath) || defaultName == null) {
                if (name != null) {
                    r.problem(namePath, "is empty; set the service's input name, e.g. input1");
                }
                ok = false;
            } else {
                name = defaultName;
            }
        } else if (!isPortName(name)) {
            r.problem(namePath, "\"" + name + "\" is not a usable input name; remove control characters, '/' and '\\'");
            ok = false;
        }
        String columnsPath = path + ".required-columns";
        List<String> columns = stripped(input.requiredColumns());
        if (r.failed(columnsPath)) {
            ok = false;
        } else {
            Set<String> unique = new HashSet<>();
            for (String column : columns) {
                if (column.isBlank()) {
                    r.problem(columnsPath, "has an empty column name; remove it or write the header's name");
                    ok = false;
                } else if (!unique.add(column)) {
                    r.problem(columnsPath, "lists \"" + column + "\" twice; list each column once");
                    ok = false;
                }
            }
        }
        Character delimiter = delimiter(path + ".delimiter", input.delimiter());
        int maxRecordBytes = maxRecordBytes(path + ".max-record-size", input.maxRecordSize());
        if (!ok || delimiter == null || maxRecordBytes <= 0) {
            return null;
        }
        return new InputSpec(name, columns, delimiter, maxRecordBytes);
    }

    private Character delimiter(String path, String value) {
        if (value == null) {
            return r.failed(path) ? null : InputSpec.DEFAULT_DELIMITER;
        }
        String fix = "use a single character, e.g. \",\" or \";\", or \"\\t\" (or tab) for tab-separated files";
        char c;
        if (value.equals("\\t") || value.equalsIgnoreCase("tab")) {
            c = '\t';
        } else if (value.length() == 1) {
            c = value.charAt(0);
        } else {
            r.problem(path, "\"" + value + "\" is not a single character; " + fix);
            return null;
        }
        if (c == '"' || c == '\r' || c == '\n') {
            r.problem(path, "a quote or line break cannot separate fields; " + fix);
            return null;
        }
        return c;
    }

    private int maxRecordBytes(String path, DataSize size) {
        if (size == null) {
            return r.failed(path) ? -1 : InputSpec.DEFAULT_MAX_RECORD_BYTES;
        }
        long bytes = size.toBytes();
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            r.problem(path, "must be between 1 byte and 2GiB; " + Units.SIZE_FORMS);
            return -1;
        }
        return (int) bytes;
    }

    /** The outputs, or null with the problems reported. */
    List<String> outputs(List<String> written) {
        String fix = "list the service's output names, e.g. [output1]";
        if (r.failed("outputs")) {
            return null;
        }
        if (!r.has("outputs")) {
            r.problem("outputs", 0, "missing; " + fix);
            return null;
        }
        List<String> outputs = stripped(written);
        if (outputs.isEmpty()) {
            r.problem("outputs", "is empty; " + fix);
            return null;
        }
        Set<String> unique = new HashSet<>();
        boolean ok = true;
        for (String output : outputs) {
            if (output.isBlank()) {
                r.problem("outputs", "has an empty name; " + fix);
                ok = false;
            } else if (!isPortName(output)) {
                r.problem("outputs", "\"" + output + "\" is not a usable output name; remove control characters, '/'"
                        + " and '\\'");
                ok = false;
            } else if (!unique.add(output)) {
                r.problem("outputs", "lists \"" + output + "\" twice; list each output once");
                ok = false;
            }
        }
        return ok ? outputs : null;
    }

    private static List<String> stripped(List<String> values) {
        return values == null ? List.of() : values.stream().map(v -> v == null ? "" : v.strip()).toList();
    }

    private static boolean isPortName(String name) {
        return name.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\');
    }
}
