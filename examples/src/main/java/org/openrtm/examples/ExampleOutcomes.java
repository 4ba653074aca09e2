package org.openrtm.examples;

import org.jetbrains.annotations.NotNull;

import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/** Plain words for the values in an {@link ExampleOutcome#summary()}. Stateless. */
public final class ExampleOutcomes {

    private ExampleOutcomes() {
    }

    /** {@code a, b, c}, or {@code nothing} for an empty collection. */
    public static @NotNull String words(final @NotNull Collection<?> values) {
        return values.isEmpty() ? "nothing" : values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** {@code k1: v1, k2: v2}, or {@code nothing} for an empty map. */
    public static @NotNull String words(final @NotNull Map<?, ?> values) {
        return values.isEmpty() ? "nothing" : values.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
