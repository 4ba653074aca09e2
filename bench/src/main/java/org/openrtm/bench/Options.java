package org.openrtm.bench;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.config.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command line options of one scenario: {@code --name value} pairs, where some names may repeat. Typed getters
 * validate and name the option, the rule and the value in their errors. Immutable after parsing.
 */
public final class Options {

    private final Map<String, List<String>> values;

    private Options(final Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * Parses options.
     *
     * @param args  the arguments after the scenario name
     * @param known the option names (without {@code --}) this scenario accepts
     * @return the options
     * @throws IllegalArgumentException for an unknown option or a missing value
     */
    public static @NotNull Options parse(final @NotNull List<String> args, final @NotNull Set<String> known) {
        final Map<String, List<String>> v = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            final String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected an option such as --reps, but got '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            final int eq = name.indexOf('=');
            if (eq > 0 && !name.startsWith("setting") && !name.startsWith("coap-setting")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option '--" + name + "' (known: --" + String.join(", --",
                        known.stream().sorted().toList()) + ")");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            v.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return new Options(v);
    }

    /** Whether the option was given. */
    public boolean has(final @NotNull String name) {
        return values.containsKey(name);
    }

    /** The last value given, or the default. */
    public @Nullable String string(final @NotNull String name, final @Nullable String def) {
        final List<String> l = values.get(name);
        return l == null ? def : l.get(l.size() - 1);
    }

    /** Every value of a repeatable option, in order (empty if none). */
    public @NotNull List<String> all(final @NotNull String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    /** An integer within bounds. */
    public int integer(final @NotNull String name, final int def, final int min, final int max) {
        final String s = string(name, null);
        if (s == null) {
            return def;
        }
        final long v;
        try {
            v = parseCount(s);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, but was '" + s + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max + ", but was " + s);
        }
        return (int) v;
    }

    /** A number within bounds (accepts {@code 10k}, {@code 1.5m} for thousands and millions). */
    public double number(final @NotNull String name, final double def, final double min, final double max) {
        final String s = string(name, null);
        if (s == null) {
            return def;
        }
        final double v = parseNumber(name, s);
        if (v < min || v > max) {
            throw new IllegalArgumentException("--" + name + " must be between " + fmt(min) + " and " + fmt(max)
                    + ", but was " + s);
        }
        return v;
    }

    /** A comma-separated list of numbers, each positive. */
    public @NotNull List<Double> numbers(final @NotNull String name, final @NotNull List<Double> def) {
        final String s = string(name, null);
        if (s == null) {
            return def;
        }
        final List<Double> out = new ArrayList<>();
        for (final String part : s.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            final double v = parseNumber(name, part.trim());
            if (v <= 0) {
                throw new IllegalArgumentException("--" + name + " values must be positive, but one was " + part.trim());
            }
            out.add(v);
        }
        return out;
    }

    /** A duration ({@code 500ms}, {@code 10s}, {@code 2m}) within bounds. */
    public @NotNull Duration duration(final @NotNull String name, final @NotNull Duration def, final @NotNull Duration min) {
        final String s = string(name, null);
        if (s == null) {
            return def;
        }
        final Duration d = Setting.parseDuration(s);
        if (d == null) {
            throw new IllegalArgumentException("--" + name + " must be a duration such as 500ms, 10s or 2m, but was '" + s + "'");
        }
        if (d.compareTo(min) < 0) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min.toMillis() + "ms, but was " + s);
        }
        return d;
    }

    /** {@code on}/{@code off} (also {@code true}/{@code false}, {@code yes}/{@code no}). */
    public boolean flag(final @NotNull String name, final boolean def) {
        final String s = string(name, null);
        if (s == null) {
            return def;
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
            case "yes":
                return true;
            case "off":
            case "false":
            case "no":
                return false;
            default:
                throw new IllegalArgumentException("--" + name + " must be on or off, but was '" + s + "'");
        }
    }

    /** A comma-separated list of words. */
    public @NotNull List<String> words(final @NotNull String name, final @NotNull List<String> def) {
        final String s = string(name, null);
        if (s == null) {
            return def;
        }
        return Arrays.stream(s.split(",")).map(String::trim).filter(w -> !w.isEmpty()).toList();
    }

    /** Every option as given, for the report. */
    public @NotNull Map<String, List<String>> asMap() {
        final Map<String, List<String>> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, List.copyOf(v)));
        return m;
    }

    private static long parseCount(final String s) {
        final double d = parseNumberRaw(s);
        if (d != Math.rint(d)) {
            throw new NumberFormatException(s);
        }
        return (long) d;
    }

    private static double parseNumber(final String name, final String s) {
        try {
            return parseNumberRaw(s);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number (10000, 10k, 1.5m), but was '" + s + "'");
        }
    }

    private static double parseNumberRaw(final String s) {
        final String t = s.trim().toLowerCase(Locale.ROOT).replace("_", "");
        if (t.endsWith("k")) {
            return Double.parseDouble(t.substring(0, t.length() - 1)) * 1_000;
        }
        if (t.endsWith("m")) {
            return Double.parseDouble(t.substring(0, t.length() - 1)) * 1_000_000;
        }
        return Double.parseDouble(t);
    }

    private static String fmt(final double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
