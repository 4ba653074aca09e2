package org.openrtm.bench.metrics;

import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Percentiles of a latency distribution, in milliseconds. Immutable.
 *
 * @param count  how many values were recorded
 * @param p50Ms  median
 * @param p90Ms  90th percentile
 * @param p99Ms  99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs  largest value
 * @param meanMs arithmetic mean
 */
public record Latency(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double meanMs) {

    /** No values. */
    public static final Latency EMPTY = new Latency(0, 0, 0, 0, 0, 0, 0);

    /**
     * The median of each percentile over several runs (not the percentile of the merged runs: each repetition
     * counts once, as the benchmark's interleaving intends).
     *
     * @param all at least one latency
     * @return per-field medians; count is the median count
     */
    public static @NotNull Latency median(final @NotNull List<Latency> all) {
        if (all.isEmpty()) {
            return EMPTY;
        }
        return new Latency(Math.round(Stats.median(all, l -> l.count)), Stats.median(all, Latency::p50Ms),
                Stats.median(all, Latency::p90Ms), Stats.median(all, Latency::p99Ms), Stats.median(all, Latency::p999Ms),
                Stats.median(all, Latency::maxMs), Stats.median(all, Latency::meanMs));
    }

    /** As JSON, milliseconds rounded to microseconds. */
    public @NotNull JsonObject toJson() {
        final JsonObject o = new JsonObject();
        o.addProperty("count", count);
        o.addProperty("p50Ms", Stats.round3(p50Ms));
        o.addProperty("p90Ms", Stats.round3(p90Ms));
        o.addProperty("p99Ms", Stats.round3(p99Ms));
        o.addProperty("p999Ms", Stats.round3(p999Ms));
        o.addProperty("maxMs", Stats.round3(maxMs));
        o.addProperty("meanMs", Stats.round3(meanMs));
        return o;
    }

    /** Small numeric helpers. */
    public static final class Stats {
        private Stats() {
        }

        /** The median of a value over items (the mean of the two middle ones for an even count); 0 if empty. */
        public static <T> double median(final @NotNull List<T> items, final @NotNull ToDoubleFunction<T> value) {
            if (items.isEmpty()) {
                return 0;
            }
            final double[] v = items.stream().mapToDouble(value).sorted().toArray();
            final int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }

        /** Rounds to three decimals (for JSON). */
        public static double round3(final double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
