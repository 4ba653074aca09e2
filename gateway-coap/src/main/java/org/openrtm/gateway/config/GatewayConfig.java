package org.openrtm.gateway.config;

import org.jetbrains.annotations.NotNull;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The validated configuration of the gateway: a value for every {@link Definition} in {@link GatewaySettings}.
 * Immutable and thread-safe.
 *
 * <p>Validation reports every problem at once: unknown keys (so a misspelt key never leaves a default silently in
 * force), values out of range, and rules between keys (the keep-alive bounds, the files DTLS needs).
 */
public final class GatewayConfig {

    private final Map<Definition<?>, Object> values;

    private GatewayConfig(final Map<Definition<?>, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** The defaults. */
    public static @NotNull GatewayConfig defaults() {
        try {
            return of(Map.of());
        } catch (final GatewayConfigException e) {
            throw new IllegalStateException("the default gateway configuration is invalid", e);
        }
    }

    /**
     * Reads and validates a Java properties file; keys not in the file take their defaults.
     *
     * @param file      the file
     * @param overrides values that replace those of the file (for example from the command line)
     * @throws GatewayConfigException listing every problem, or that the file cannot be read
     */
    public static @NotNull GatewayConfig load(final @NotNull Path file, final @NotNull Map<String, String> overrides)
            throws GatewayConfigException {
        final Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (final NoSuchFileException e) {
            throw new GatewayConfigException(List.of("configuration file " + file + " does not exist"));
        } catch (final IOException | IllegalArgumentException e) {
            throw new GatewayConfigException(List.of("configuration file " + file + " cannot be read: " + e.getMessage()));
        }
        final Map<String, String> raw = new HashMap<>();
        for (final String name : p.stringPropertyNames()) {
            raw.put(name, p.getProperty(name));
        }
        raw.putAll(overrides);
        return of(raw);
    }

    /**
     * Validates raw key/value pairs; keys not given take their defaults.
     *
     * @throws GatewayConfigException listing every problem at once
     */
    public static @NotNull GatewayConfig of(final @NotNull Map<String, String> raw) throws GatewayConfigException {
        final Map<String, Definition<?>> byKey = new HashMap<>();
        for (final Definition<?> d : GatewaySettings.all()) {
            byKey.put(d.key(), d);
        }
        final List<String> errors = new ArrayList<>();
        for (final String key : new TreeSet<>(raw.keySet())) {
            if (!byKey.containsKey(key)) {
                errors.add("unknown key '" + key + "' (see gateway-coap/README.md for the keys)");
            }
        }
        final Map<Definition<?>, Object> values = new HashMap<>();
        for (final Definition<?> d : GatewaySettings.all()) {
            final String text = raw.get(d.key());
            if (text == null) {
                values.put(d, d.defaultValue());
                continue;
            }
            try {
                values.put(d, d.parse(text));
            } catch (final IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        crossCheck(values, errors);
        if (!errors.isEmpty()) {
            throw new GatewayConfigException(errors);
        }
        return new GatewayConfig(values);
    }

    private static void crossCheck(final Map<Definition<?>, Object> v, final List<String> errors) {
        final Duration min = (Duration) v.get(GatewaySettings.KEEP_ALIVE_MIN);
        final Duration def = (Duration) v.get(GatewaySettings.KEEP_ALIVE);
        final Duration max = (Duration) v.get(GatewaySettings.KEEP_ALIVE_MAX);
        if (min != null && max != null && min.compareTo(max) > 0) {
            errors.add(GatewaySettings.KEEP_ALIVE_MIN.key() + " must not be longer than " + GatewaySettings.KEEP_ALIVE_MAX.key()
                    + ", but was '" + Definition.formatDuration(min) + "' (max '" + Definition.formatDuration(max) + "')");
        } else if (min != null && max != null && def != null && (def.compareTo(min) < 0 || def.compareTo(max) > 0)) {
            errors.add(GatewaySettings.KEEP_ALIVE.key() + " must be between " + GatewaySettings.KEEP_ALIVE_MIN.key() + " and "
                    + GatewaySettings.KEEP_ALIVE_MAX.key() + " (" + Definition.formatDuration(min) + " and "
                    + Definition.formatDuration(max) + "), but was '" + Definition.formatDuration(def) + "'");
        }
        final Object server = v.get(GatewaySettings.MQTT_SERVER);
        if (server != null) {
            final String error = mqttServerError((String) server);
            if (error != null) {
                errors.add(error);
            }
        }
        if ("file".equals(v.get(GatewaySettings.PSK)) && "".equals(v.get(GatewaySettings.PSK_FILE))) {
            errors.add(GatewaySettings.PSK_FILE.key() + " must name a file when " + GatewaySettings.PSK.key()
                    + " is 'file', but was empty");
        }
        requireFile(v, GatewaySettings.PSK_FILE, errors);
        requireFile(v, GatewaySettings.KEY_STORE, errors);
        requireFile(v, GatewaySettings.TRUST_STORE, errors);
        if ("off".equals(v.get(GatewaySettings.PSK)) && "".equals(v.get(GatewaySettings.KEY_STORE))
                && !Integer.valueOf(-1).equals(v.get(GatewaySettings.COAPS_PORT))) {
            errors.add(GatewaySettings.COAPS_PORT.key() + " must be -1 (off) when " + GatewaySettings.PSK.key()
                    + " is 'off' and no " + GatewaySettings.KEY_STORE.key() + " is set: CoAPS would have no credentials");
        }
    }

    private static void requireFile(final Map<Definition<?>, Object> v, final Definition<String> d,
                                    final List<String> errors) {
        final Object path = v.get(d);
        if (path != null && !((String) path).isEmpty() && !Files.isRegularFile(Path.of((String) path))) {
            errors.add(d.key() + " must name a readable file, but '" + path + "' does not exist");
        }
    }

    /** Checks an MQTT server address {@code tcp://host:port}; returns a sentence, or null when fine. */
    static String mqttServerError(final String server) {
        final String rule = GatewaySettings.MQTT_SERVER.key() + " must be tcp://host:port with a port between 1 and 65535"
                + ", but was '" + server + "'";
        try {
            final URI uri = new URI(server);
            if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
                return rule;
            }
            return null;
        } catch (final URISyntaxException e) {
            return rule;
        }
    }

    /** The value of a definition. */
    @SuppressWarnings("unchecked")
    public <T> @NotNull T get(final @NotNull Definition<T> definition) {
        final Object v = values.get(definition);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting " + definition.key());
        }
        return (T) v;
    }

    /** The MQTT server's host. */
    public @NotNull String mqttHost() {
        return URI.create(get(GatewaySettings.MQTT_SERVER)).getHost();
    }

    /** The MQTT server's port. */
    public int mqttPort() {
        return URI.create(get(GatewaySettings.MQTT_SERVER)).getPort();
    }

    /**
     * A copy with some values replaced, validated like a file.
     *
     * @throws GatewayConfigException listing every problem at once
     */
    public @NotNull GatewayConfig with(final @NotNull Map<String, String> overrides) throws GatewayConfigException {
        final Map<String, String> raw = new HashMap<>();
        for (final Map.Entry<Definition<?>, Object> e : values.entrySet()) {
            raw.put(e.getKey().key(), e.getKey().format(e.getValue()));
        }
        raw.putAll(overrides);
        return of(raw);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("GatewayConfig{");
        for (final Definition<?> d : GatewaySettings.all()) {
            if (d.key().endsWith("password")) {
                continue;
            }
            sb.append(d.key()).append('=').append(d.format(values.get(d))).append(", ");
        }
        return sb.append('}').toString();
    }
}
