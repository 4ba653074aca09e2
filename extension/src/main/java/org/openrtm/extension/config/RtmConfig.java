package org.openrtm.extension.config;

import org.jetbrains.annotations.NotNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The validated configuration of the extension: a value for every {@link Setting} in {@link Settings}. Immutable and
 * thread-safe.
 *
 * <p>The file format is Java properties ({@code key = value}, {@code #} comments). Unknown keys are errors, so that a
 * misspelt key never silently leaves a default in force.
 */
public final class RtmConfig {

    private final Map<Setting<?>, Object> values;

    private RtmConfig(final Map<Setting<?>, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** The defaults. */
    public static @NotNull RtmConfig defaults() {
        try {
            return of(Map.of());
        } catch (final ConfigException e) {
            throw new IllegalStateException("the default configuration is invalid", e);
        }
    }

    /**
     * Reads and validates a configuration file.
     *
     * @throws ConfigException listing every problem, or that the file cannot be read
     */
    public static @NotNull RtmConfig load(final @NotNull Path file) throws ConfigException {
        final Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (final NoSuchFileException e) {
            throw new ConfigException(List.of("configuration file " + file + " does not exist"));
        } catch (final IOException | IllegalArgumentException e) {
            throw new ConfigException(List.of("configuration file " + file + " cannot be read: " + e.getMessage()));
        }
        final Map<String, String> raw = new HashMap<>();
        for (final String name : p.stringPropertyNames()) {
            raw.put(name, p.getProperty(name));
        }
        return of(raw);
    }

    /**
     * Validates raw key/value pairs; keys not given take their defaults.
     *
     * @throws ConfigException listing every problem at once
     */
    public static @NotNull RtmConfig of(final @NotNull Map<String, String> raw) throws ConfigException {
        final Map<String, Setting<?>> byKey = new HashMap<>();
        for (final Setting<?> s : Settings.all()) {
            byKey.put(s.key(), s);
        }
        final List<String> errors = new ArrayList<>();
        for (final String key : new TreeSet<>(raw.keySet())) {
            if (!byKey.containsKey(key)) {
                errors.add("unknown key '" + key + "' (see docs/configuration.md for the keys)");
            }
        }
        final Map<Setting<?>, Object> values = new HashMap<>();
        for (final Setting<?> s : Settings.all()) {
            final String text = raw.get(s.key());
            if (text == null) {
                values.put(s, s.defaultValue());
                continue;
            }
            try {
                values.put(s, s.parse(text));
            } catch (final IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new RtmConfig(values);
    }

    /** The value of a setting. */
    @SuppressWarnings("unchecked")
    public <T> @NotNull T get(final @NotNull Setting<T> setting) {
        final Object v = values.get(setting);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting " + setting.key());
        }
        return (T) v;
    }

    /** A copy with some values replaced (validated like a file). */
    public @NotNull RtmConfig with(final @NotNull Map<String, String> overrides) throws ConfigException {
        final Map<String, String> raw = new HashMap<>();
        for (final Map.Entry<Setting<?>, Object> e : values.entrySet()) {
            raw.put(e.getKey().key(), e.getKey().format(e.getValue()));
        }
        raw.putAll(overrides);
        return of(raw);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("RtmConfig{");
        for (final Setting<?> s : Settings.all()) {
            sb.append(s.key()).append('=').append(s.format(values.get(s))).append(", ");
        }
        return sb.append('}').toString();
    }
}
