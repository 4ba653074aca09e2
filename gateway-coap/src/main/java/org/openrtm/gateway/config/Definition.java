package org.openrtm.gateway.config;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key of the gateway: its name, type, default, allowed range and description. The definitions
 * are the constants of {@link GatewaySettings}; values live in {@link GatewayConfig}. Immutable and thread-safe.
 *
 * @param <T> the value type
 */
public final class Definition<T> {

    /** The kinds of value a definition can hold. */
    public enum Type { INT, DURATION, BOOLEAN, CHOICE, STRING }

    private final String key;
    private final Type type;
    private final T defaultValue;
    private final long min;
    private final long max;
    private final List<String> choices;
    private final String description;

    private Definition(final String key, final Type type, final T defaultValue, final long min, final long max,
                       final List<String> choices, final String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.description = description;
    }

    /** An integer between {@code min} and {@code max} inclusive. */
    public static @NotNull Definition<Integer> ofInt(final @NotNull String key, final int def, final int min, final int max,
                                                     final @NotNull String description) {
        return new Definition<>(key, Type.INT, def, min, max, List.of(), description);
    }

    /** A duration written like {@code 250ms}, {@code 30s}, {@code 10m}, {@code 24h} or {@code 7d}. */
    public static @NotNull Definition<Duration> ofDuration(final @NotNull String key, final @NotNull Duration def,
                                                           final @NotNull Duration min, final @NotNull Duration max,
                                                           final @NotNull String description) {
        return new Definition<>(key, Type.DURATION, def, min.toMillis(), max.toMillis(), List.of(), description);
    }

    /** {@code true} or {@code false}. */
    public static @NotNull Definition<Boolean> ofBoolean(final @NotNull String key, final boolean def,
                                                         final @NotNull String description) {
        return new Definition<>(key, Type.BOOLEAN, def, 0, 1, List.of(), description);
    }

    /** One of a fixed list of words. */
    public static @NotNull Definition<String> ofChoice(final @NotNull String key, final @NotNull String def,
                                                       final @NotNull List<String> choices,
                                                       final @NotNull String description) {
        return new Definition<>(key, Type.CHOICE, def, 0, 0, List.copyOf(choices), description);
    }

    /** Free text; an empty value means "not set". */
    public static @NotNull Definition<String> ofString(final @NotNull String key, final @NotNull String def,
                                                       final @NotNull String description) {
        return new Definition<>(key, Type.STRING, def, 0, 0, List.of(), description);
    }

    /** The key, e.g. {@code coap.port}. */
    public @NotNull String key() {
        return key;
    }

    /** The kind of value. */
    public @NotNull Type type() {
        return type;
    }

    /** The value in force when the key is not given. */
    public @NotNull T defaultValue() {
        return defaultValue;
    }

    /** One or two sentences for people. */
    public @NotNull String description() {
        return description;
    }

    /** The allowed values as a person reads them, e.g. {@code "1 to 65535"} or {@code "derived, file, off"}. */
    public @NotNull String rangeText() {
        switch (type) {
            case INT:
                return min + " to " + max;
            case DURATION:
                return formatDuration(Duration.ofMillis(min)) + " to " + formatDuration(Duration.ofMillis(max));
            case BOOLEAN:
                return "true, false";
            case CHOICE:
                return String.join(", ", choices);
            default:
                return "any text";
        }
    }

    /** The default as it is written in a configuration file. */
    public @NotNull String defaultText() {
        return format(defaultValue);
    }

    /** Formats a value of this definition as it is written in a configuration file. */
    public @NotNull String format(final @NotNull Object value) {
        return type == Type.DURATION ? formatDuration((Duration) value) : String.valueOf(value);
    }

    /**
     * Parses and range-checks a value.
     *
     * @param raw the text from the file or command line
     * @return the value, never {@code null}
     * @throws IllegalArgumentException with a message that names the key, the rule and the value
     */
    @SuppressWarnings("unchecked")
    public @NotNull T parse(final @NotNull String raw) {
        final String text = raw.trim();
        switch (type) {
            case INT: {
                final long v;
                try {
                    v = Long.parseLong(text.replace("_", ""));
                } catch (final NumberFormatException e) {
                    throw invalid(text, "a whole number between " + min + " and " + max);
                }
                if (v < min || v > max) {
                    throw invalid(text, "between " + min + " and " + max);
                }
                return (T) Integer.valueOf((int) v);
            }
            case DURATION: {
                final Duration d = parseDuration(text);
                if (d == null) {
                    throw invalid(text, "a duration such as 500ms, 30s, 10m, 24h or 7d");
                }
                if (d.toMillis() < min || d.toMillis() > max) {
                    throw invalid(text, "between " + rangeText().replace(" to ", " and "));
                }
                return (T) d;
            }
            case BOOLEAN: {
                final String lower = text.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw invalid(text, "true or false");
                }
                return (T) Boolean.valueOf(lower);
            }
            case CHOICE:
                if (!choices.contains(text)) {
                    throw invalid(text, "one of " + String.join(", ", choices));
                }
                return (T) text;
            default:
                return (T) text;
        }
    }

    private IllegalArgumentException invalid(final String value, final String rule) {
        return new IllegalArgumentException(key + " must be " + rule + ", but was '" + value + "'");
    }

    /** Parses {@code 250ms}, {@code 30s}, {@code 10m}, {@code 24h}, {@code 7d}; {@code null} when malformed. */
    public static @Nullable Duration parseDuration(final @NotNull String text) {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 12) {
            return null;
        }
        final long n = Long.parseLong(t.substring(0, i));
        switch (t.substring(i)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "d":
                return Duration.ofDays(n);
            default:
                return null;
        }
    }

    /** Writes a duration in its largest whole unit: {@code 7d}, {@code 30s}, {@code 250ms}. */
    public static @NotNull String formatDuration(final @NotNull Duration d) {
        final long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms != 0 && ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms != 0 && ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Definition && ((Definition<?>) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key);
    }

    @Override
    public String toString() {
        return key;
    }
}
