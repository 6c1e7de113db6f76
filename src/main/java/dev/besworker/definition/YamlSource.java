package dev.besworker.definition;

import dev.besworker.definition.DefinitionSchema.Key;
import dev.besworker.definition.DefinitionSchema.Shape;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.io.Resource;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One definition file's YAML node tree as a property source for Spring Boot's binder, checked
 * against the {@link DefinitionSchema} on the way: unknown keys (with a suggestion), repeated
 * keys, merge keys, and values of the wrong shape are problems, and are left out of the source.
 *
 * <p>Hand-built rather than Boot's {@code YamlPropertySourceLoader} because that loader constructs
 * YAML 1.1 types: {@code 010} becomes {@code 8} and an all-digit id with an {@code e} becomes a
 * double. Here every scalar stays as written, a string with its {@link TextResourceOrigin}, and
 * keys are matched exactly (the binder's relaxed names would take {@code outputDir} for
 * {@code output-dir} silently).
 */
final class YamlSource {

    /** Where a key's value is, what it is, and (for a single value) its text as written. */
    private record Value(int line, boolean isNull, String raw, int size) {

        Value(int line, boolean isNull, String raw) {
            this(line, isNull, raw, 0);
        }
    }

    private final Resource resource;
    private final Problems problems;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Map<String, String>> anyKeys = new HashMap<>();

    private YamlSource(Resource resource, Problems problems) {
        this.resource = resource;
        this.problems = problems;
    }

    /** The source of a file's root node (a mapping; anything else is reported and gives null). */
    static YamlSource read(Node root, Resource resource, Problems problems) {
        YamlSource source = new YamlSource(resource, problems);
        if (!(root instanceof MappingNode mapping)) {
            problems.add("", lineOf(root), notAMapping("", DefinitionSchema.ROOT, root));
            return null;
        }
        source.section("", mapping, DefinitionSchema.ROOT);
        return source;
    }

    /** The properties for the binder. */
    ConfigurationPropertySource propertySource() {
        return ConfigurationPropertySource.from(new OriginTrackedMapPropertySource(resource.getDescription(), properties));
    }

    /** Whether the key is present with a value other than null. */
    boolean has(String path) {
        Value value = values.get(path);
        return value != null && !value.isNull();
    }

    /** The line of the key's value; 0 when the key is absent. */
    int line(String path) {
        Value value = values.get(path);
        return value == null ? 0 : value.line();
    }

    /** A single value as written, before substitution; null when absent or not a single value. */
    String raw(String path) {
        Value value = values.get(path);
        return value == null ? null : value.raw();
    }

    /**
     * The keys and values as written of a mapping with any keys ({@code global-parameters}), in
     * file order, null meaning empty. Kept out of the binder: its property names cannot carry
     * every key a service may use ({@code [}, {@code ]}).
     */
    Map<String, String> anyKeys(String path) {
        return anyKeys.getOrDefault(path, Map.of());
    }

    /** How many items the list at the key has; 0 when it is absent or not a list. */
    int size(String path) {
        Value value = values.get(path);
        return value == null ? 0 : value.size();
    }

    /** The path problems use for a name the binder reports: {@code inputs[1].name}, {@code global-parameters.Key}. */
    static String path(ConfigurationPropertyName name) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            String element = name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL);
            if (name.isNumericIndex(i)) {
                path.append('[').append(element).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(element);
            }
        }
        return path.toString();
    }

    // ---------------------------------------------------------------- the walk

    /** Reads a mapping whose keys the schema knows ({@code schema} null: any keys, single values). */
    private void section(String path, MappingNode mapping, DefinitionSchema schema) {
        Map<String, Integer> keyLines = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey) || isNull(keyNode)) {
                problems.addToSection(path, path, lineOf(keyNode), "keys must be plain names, found " + describe(keyNode));
                continue;
            }
            if (scalarKey.getTag() == Tag.MERGE) {
                problems.addToSection(path, path, lineOf(keyNode), "merge keys (<<) are not supported; write the keys out");
                continue;
            }
            String key = scalarKey.getValue();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            Key known = schema == null ? null : schema.key(key);
            if (schema != null && known == null) {
                problems.addToSection(path, keyPath, lineOf(keyNode), Spelling.unknownKey(path, key, schema.keyNames()));
                continue;
            }
            Integer first = keyLines.putIfAbsent(key, lineOf(keyNode));
            if (first != null) {
                problems.addToSection(path, keyPath, lineOf(keyNode), "is set twice (first on line " + first
                        + "); keep one");
                continue;
            }
            Node node = tuple.getValueNode();
            if (known == null) {
                // a key of global-parameters: any name, a single value, null meaning empty
                if (scalar(keyPath, null, node, "", "it on one line after the colon")) {
                    anyKeys.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(key, raw(keyPath));
                }
                continue;
            }
            value(keyPath, keyPath, node, known);
        }
    }

    private void value(String path, String name, Node node, Key key) {
        if (isNull(node)) {
            values.put(path, new Value(lineOf(node), true, null));
            return;
        }
        switch (key.shape()) {
            case SCALAR -> scalar(path, name, node, null, "it on one line after the colon");
            case SECTION, ANY_MAP -> {
                values.put(path, new Value(lineOf(node), false, null));
                if (node instanceof MappingNode mapping) {
                    section(path, mapping, key.section());
                } else {
                    fail(path, node, notAMapping(path, key.section(), node));
                }
            }
            case SCALAR_LIST, SECTION_LIST -> {
                if (!(node instanceof SequenceNode sequence)) {
                    values.put(path, new Value(lineOf(node), false, null));
                    fail(path, node, "expected " + key.hint() + ", found " + describe(node));
                    return;
                }
                List<Node> items = sequence.getValue();
                values.put(path, new Value(lineOf(node), false, null, items.size()));
                for (int i = 0; i < items.size(); i++) {
                    String itemPath = path + "[" + i + "]";
                    Node item = items.get(i);
                    if (key.shape() == Shape.SCALAR_LIST) {
                        scalar(itemPath, itemPath, item, "", key.hint());
                    } else if (item instanceof MappingNode mapping) {
                        values.put(itemPath, new Value(lineOf(item), false, null));
                        section(itemPath, mapping, key.section());
                    } else {
                        fail(itemPath, item, notAMapping(itemPath, key.section(), item));
                    }
                }
            }
            default -> throw new IllegalStateException("unknown shape " + key.shape());
        }
    }

    /**
     * A single value, into the properties as {@code name} unless that is null; {@code nullAs} what
     * a null stands for (null: absent), {@code write} the fix when the node is something else.
     * False (reported) when it is something else.
     */
    private boolean scalar(String path, String name, Node node, String nullAs, String write) {
        if (isNull(node)) {
            values.put(path, new Value(lineOf(node), nullAs == null, nullAs));
            if (nullAs != null) {
                put(name, nullAs, node);
            }
            return true;
        }
        if (!(node instanceof ScalarNode scalar)) {
            problems.add(path, lineOf(node), "expected a single value, found " + describe(node) + "; write " + write);
            problems.fail(path);
            failParentList(path);
            return false;
        }
        values.put(path, new Value(lineOf(node), false, scalar.getValue()));
        put(name, scalar.getValue(), node);
        return true;
    }

    private void put(String name, String value, Node node) {
        if (name == null) {
            return;
        }
        TextResourceOrigin origin = node.getStartMark() == null ? null : new TextResourceOrigin(resource,
                new TextResourceOrigin.Location(node.getStartMark().getLine(), node.getStartMark().getColumn()));
        properties.put(name, OriginTrackedValue.of(value, origin));
    }

    /** An item of a list failed: the whole list is unusable. */
    private void failParentList(String path) {
        if (path.endsWith("]")) {
            problems.fail(path.substring(0, path.lastIndexOf('[')));
        }
    }

    private void fail(String path, Node node, String message) {
        if (message != null) {
            problems.add(path, lineOf(node), message);
        }
        problems.fail(path);
    }

    private static String notAMapping(String path, DefinitionSchema section, Node node) {
        String expected = section == null ? "" : " (with keys " + String.join(", ", section.keyNames()) + ")";
        return "expected a mapping" + expected + ", found " + describe(node) + "; indent the keys under "
                + (path.isEmpty() ? "the top level" : path + ":");
    }

    static int lineOf(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag() == Tag.NULL;
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "a single value";
    }
}
