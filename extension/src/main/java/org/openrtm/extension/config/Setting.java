package org.openrtm.extension.config;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key: its name, type, default, allowed range and description. Definitions are constants in
 * {@link Settings}; values live in {@link RtmConfig}. Immutable and thread-safe.
 *
 * @param <T> the value type
 */
public final class Setting<T> {

    /** The kinds of value a setting can hold. */
    public enum Type { INT, LONG, DURATION, BOOLEAN, CHOICE, STRING }

    private final String key;
    private final Type type;
    private final T defaultValue;
    private final long min;
    private final long max;
    private final List<String> choices;
    private final String description;

    private Setting(
            final String key,
            final Type type,
            final T defaultValue,
            final long min,
            final long max,
            final List<String> choices,
            final String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.description = description;
    }

    /** An integer between {@code min} and {@code max} inclusive. */
    public static @NotNull Setting<Integer> ofInt(
            final @NotNull String key, final int def, final int min, final int max, final @NotNull String description) {
        return new Setting<>(key, Type.INT, def, min, max, List.of(), description);
    }

    /** A long between {@code min} and {@code max} inclusive. */
    public static @NotNull Setting<Long> ofLong(
            final @NotNull String key, final long def, final long min, final long max, final @NotNull String description) {
        return new Setting<>(key, Type.LONG, def, min, max, List.of(), description);
    }

    /** A duration written like {@code 250ms}, {@code 30s}, {@code 10m}, {@code 24h} or {@code 7d}. */
    public static @NotNull Setting<Duration> ofDuration(
            final @NotNull String key,
            final @NotNull Duration def,
            final @NotNull Duration min,
            final @NotNull Duration max,
            final @NotNull String description) {
        return new Setting<>(key, Type.DURATION, def, min.toMillis(), max.toMillis(), List.of(), description);
    }

    /** {@code true} or {@code false}. */
    public static @NotNull Setting<Boolean> ofBoolean(
            final @NotNull String key, final boolean def, final @NotNull String description) {
        return new Setting<>(key, Type.BOOLEAN, def, 0, 1, List.of(), description);
    }

    /** One of a fixed list of words. */
    public static @NotNull Setting<String> ofChoice(
            final @NotNull String key,
            final @NotNull String def,
            final @NotNull List<String> choices,
            final @NotNull String description) {
        return new Setting<>(key, Type.CHOICE, def, 0, 0, List.copyOf(choices), description);
    }

    /** Free text (an empty value means "not set"). */
    public static @NotNull Setting<String> ofString(
            final @NotNull String key, final @NotNull String def, final @NotNull String description) {
        return new Setting<>(key, Type.STRING, def, 0, 0, List.of(), description);
    }

    public @NotNull String key() {
        return key;
    }

    public @NotNull Type type() {
        return type;
    }

    public @NotNull T defaultValue() {
        return defaultValue;
    }

    public @NotNull String description() {
        return description;
    }

    /** The allowed values as a person reads them, e.g. {@code "1 to 268435455"} or {@code "allow, deny"}. */
    public @NotNull String rangeText() {
        switch (type) {
            case INT:
            case LONG:
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

    /** The default as it is written in the configuration file. */
    public @NotNull String defaultText() {
        return format(defaultValue);
    }

    /** Formats a value of this setting as it is written in the configuration file. */
    public @NotNull String format(final @NotNull Object value) {
        if (type == Type.DURATION) {
            return formatDuration((Duration) value);
        }
        return String.valueOf(value);
    }

    /**
     * Parses and range-checks a value.
     *
     * @return the value; never {@code null}
     * @throws IllegalArgumentException with a message that names the key, the rule and the value
     */
    @SuppressWarnings("unchecked")
    public @NotNull T parse(final @NotNull String raw) {
        final String text = raw.trim();
        switch (type) {
            case INT:
            case LONG: {
                final long v;
                try {
                    v = Long.parseLong(text.replace("_", ""));
                } catch (final NumberFormatException e) {
                    throw outOfRange(text, "a whole number");
                }
                if (v < min || v > max) {
                    throw outOfRange(text, null);
                }
                final Object boxed = type == Type.INT ? (Object) Integer.valueOf((int) v) : (Object) Long.valueOf(v);
                return (T) boxed;
            }
            case DURATION: {
                final Duration d = parseDuration(text);
                if (d == null) {
                    throw outOfRange(text, "a duration such as 500ms, 30s, 10m, 24h or 7d");
                }
                if (d.toMillis() < min || d.toMillis() > max) {
                    throw outOfRange(text, null);
                }
                return (T) d;
            }
            case BOOLEAN: {
                final String lower = text.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw outOfRange(text, "true or false");
                }
                return (T) Boolean.valueOf(lower);
            }
            case CHOICE:
                if (!choices.contains(text)) {
                    throw outOfRange(text, "one of " + String.join(", ", choices));
                }
                return (T) text;
            default:
                return (T) text;
        }
    }

    private IllegalArgumentException outOfRange(final String value, final @Nullable String expected) {
        final String rule = expected != null ? expected : "between " + rangeText().replace(" to ", " and ");
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

    /** Writes a duration in the largest whole unit: {@code 7d}, {@code 30s}, {@code 250ms}. */
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
        return o instanceof Setting && ((Setting<?>) o).key.equals(key);
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
