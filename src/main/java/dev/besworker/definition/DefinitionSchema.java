package dev.besworker.definition;

import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Name;

/**
 * The keys of a job definition and the shape of each value, derived from the {@link DefinitionFile}
 * records so that the binder and the key checks cannot disagree. Also orders problems: each key
 * path has a rank (its position in the file format), so problems come out section by section as
 * the format lists them, whichever check found them.
 */
final class DefinitionSchema {

    /** What a key's value must look like in the YAML. */
    enum Shape {
        /** A mapping with the keys of {@link Key#section()}. */
        SECTION,
        /** A list of such mappings. */
        SECTION_LIST,
        /** A list of single values. */
        SCALAR_LIST,
        /** A mapping with any keys and single values. */
        ANY_MAP,
        /** A single value. */
        SCALAR
    }

    /** One key: its name in the file, its shape, its position, and its section when it has one. */
    record Key(String name, int index, Shape shape, DefinitionSchema section, String hint) {
    }

    /** The top level of a definition. */
    static final DefinitionSchema ROOT = new DefinitionSchema(DefinitionFile.class);

    private final Map<String, Key> keys = new LinkedHashMap<>();

    private DefinitionSchema(Class<?> record) {
        RecordComponent[] components = record.getRecordComponents();
        Parameter[] parameters = canonicalConstructor(record).getParameters();
        for (int i = 0; i < components.length; i++) {
            Name rename = parameters[i].getAnnotation(Name.class);
            String name = rename != null ? rename.value() : kebab(components[i].getName());
            DefinitionFile.Hint hint = parameters[i].getAnnotation(DefinitionFile.Hint.class);
            Class<?> type = components[i].getType();
            Class<?> element = type == List.class ? elementType(components[i]) : null;
            Shape shape;
            DefinitionSchema section = null;
            if (type.isRecord()) {
                shape = Shape.SECTION;
                section = new DefinitionSchema(type);
            } else if (element != null && element.isRecord()) {
                shape = Shape.SECTION_LIST;
                section = new DefinitionSchema(element);
            } else if (element != null) {
                shape = Shape.SCALAR_LIST;
            } else if (Map.class.isAssignableFrom(type)) {
                shape = Shape.ANY_MAP;
            } else {
                shape = Shape.SCALAR;
            }
            keys.put(name, new Key(name, i, shape, section, hint == null ? null : hint.value()));
        }
    }

    /** The keys of this section, in the order of the file format. */
    List<String> keyNames() {
        return List.copyOf(keys.keySet());
    }

    /** The key, or null when this section has no such key. */
    Key key(String name) {
        return keys.get(name);
    }

    /**
     * Every section reached through mappings only (not list items), by path, top level first:
     * where a key written in the wrong place may belong.
     */
    static Map<String, DefinitionSchema> sections() {
        Map<String, DefinitionSchema> sections = new LinkedHashMap<>();
        ROOT.collectSections("", sections);
        return Collections.unmodifiableMap(sections);
    }

    private void collectSections(String path, Map<String, DefinitionSchema> into) {
        into.put(path, this);
        for (Key key : keys.values()) {
            if (key.shape() == Shape.SECTION) {
                key.section().collectSections(path.isEmpty() ? key.name() : path + "." + key.name(), into);
            }
        }
    }

    /** The key at a path such as {@code inputs[1].name}, or null when the path leads nowhere known. */
    static Key keyAt(String path) {
        DefinitionSchema section = ROOT;
        Key key = null;
        for (String segment : segments(path)) {
            if (segment.startsWith("[")) {
                continue;
            }
            if (section == null) {
                return null;
            }
            key = section.key(segment);
            if (key == null) {
                return null;
            }
            section = key.section();
        }
        return key;
    }

    /**
     * The position of a path in the file format: key positions and list indexes, outermost
     * first. Problems sort by it; {@code sectionLevel} puts a section's own problems (unknown and
     * repeated keys) before those of its keys.
     */
    static List<Integer> rank(String path, boolean sectionLevel) {
        List<Integer> rank = new ArrayList<>();
        DefinitionSchema section = ROOT;
        boolean known = true;
        for (String segment : segments(path)) {
            if (segment.startsWith("[")) {
                rank.add(index(segment));
                continue;
            }
            Key key = known && section != null ? section.key(segment) : null;
            if (key == null) {
                known = false;
                rank.add(Integer.MAX_VALUE);
                continue;
            }
            rank.add(key.index());
            section = key.section();
        }
        if (sectionLevel) {
            rank.add(-1);
        }
        return rank;
    }

    /** {@code inputs[1].name} as {@code inputs}, {@code [1]}, {@code name}. */
    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String dotted : path.isEmpty() ? new String[0] : path.split("\\.")) {
            int bracket = dotted.indexOf('[');
            String head = bracket < 0 ? dotted : dotted.substring(0, bracket);
            if (!head.isEmpty()) {
                segments.add(head);
            }
            while (bracket >= 0) {
                int close = dotted.indexOf(']', bracket);
                if (close < 0) {
                    break;
                }
                segments.add(dotted.substring(bracket, close + 1));
                bracket = dotted.indexOf('[', close);
            }
        }
        return segments;
    }

    /** "camelCase" and "snake_case" spellings as kebab-case. */
    static String kebab(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(java.util.Locale.ROOT);
    }

    private static int index(String bracketed) {
        try {
            return Integer.parseInt(bracketed.substring(1, bracketed.length() - 1));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static Class<?> elementType(RecordComponent component) {
        if (component.getGenericType() instanceof ParameterizedType parameterized
                && parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        return Object.class;
    }

    private static Constructor<?> canonicalConstructor(Class<?> record) {
        Class<?>[] types = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        try {
            return record.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("a record has its canonical constructor", e);
        }
    }
}
