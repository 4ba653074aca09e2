package org.openrtm.bench.metrics;

import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One measured figure of one repetition against one broker (or the median of several): throughput, latency, what
 * arrived, and what the broker and the generator cost. Immutable; build with {@link #builder(String)}.
 *
 * <p>Fields that do not apply are -1 (for example the heap of Mosquitto, which is not a JVM).
 *
 * @param name             what was measured, e.g. {@code rate-10000}, {@code max}, {@code connect}, {@code drain}
 * @param targetRate       the rate the generator aimed at (per second), or 0 when it went as fast as it could
 * @param rate             the rate achieved: messages (or connections) completed per second of the window
 * @param seconds          length of the measured window
 * @param sent             messages (or connection attempts) the generator issued
 * @param acked            of those, how many the broker accepted (PUBACK success, CONNACK success)
 * @param delivered        distinct messages that reached their recipient (or connections established)
 * @param duplicates       messages that arrived more than once (allowed by QoS 1, reported)
 * @param failed           sends refused or failed (error PUBACK, timeout, exception)
 * @param latency          latency percentiles
 * @param brokerCpu        broker CPU over the window, percent of one core
 * @param generatorCpu     generator CPU over the window, percent of one core
 * @param brokerHeapBytes  the broker's live heap after a full GC at the end of the window (JVM brokers), or -1
 * @param brokerRssBytes   the broker's resident memory at the end of the window, or -1
 * @param statuses         counts of each {@code rtm-status} (or reason code) seen on the acknowledgements
 * @param extra            scenario-specific numbers (for example heap per connection)
 * @param ok               whether the figure passed the scenario's checks (nothing lost or refused)
 * @param note             why it did not pass, or other remarks; empty if none
 */
public record Figure(
        @NotNull String name,
        double targetRate,
        double rate,
        double seconds,
        long sent,
        long acked,
        long delivered,
        long duplicates,
        long failed,
        @NotNull Latency latency,
        double brokerCpu,
        double generatorCpu,
        long brokerHeapBytes,
        long brokerRssBytes,
        @NotNull Map<String, Long> statuses,
        @NotNull Map<String, Double> extra,
        boolean ok,
        @NotNull String note) {

    /** Copies the maps; validates the name. */
    public Figure {
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        statuses = Map.copyOf(statuses);
        extra = Map.copyOf(extra);
    }

    /** A builder for a figure called {@code name}. */
    public static @NotNull Builder builder(final @NotNull String name) {
        return new Builder(name);
    }

    /** The same figure with a different name. */
    public @NotNull Figure named(final @NotNull String newName) {
        return new Figure(newName, targetRate, rate, seconds, sent, acked, delivered, duplicates, failed, latency, brokerCpu,
                generatorCpu, brokerHeapBytes, brokerRssBytes, statuses, extra, ok, note);
    }

    /**
     * The median of every number over repetitions of the same figure; statuses are summed, {@code ok} holds only if
     * every repetition was ok, notes are joined.
     *
     * @param reps at least one figure, all with the same name
     * @return the median figure
     * @throws IllegalArgumentException if {@code reps} is empty
     */
    public static @NotNull Figure median(final @NotNull List<Figure> reps) {
        if (reps.isEmpty()) {
            throw new IllegalArgumentException("reps must not be empty");
        }
        final Map<String, Long> statuses = new TreeMap<>();
        final Set<String> extraKeys = new TreeSet<>();
        final Set<String> notes = new LinkedHashSet<>();
        boolean ok = true;
        for (final Figure f : reps) {
            f.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
            extraKeys.addAll(f.extra.keySet());
            if (!f.note.isEmpty()) {
                notes.add(f.note);
            }
            ok &= f.ok;
        }
        final Map<String, Double> extra = new LinkedHashMap<>();
        for (final String k : extraKeys) {
            final List<Figure> having = new ArrayList<>();
            for (final Figure f : reps) {
                if (f.extra.containsKey(k)) {
                    having.add(f);
                }
            }
            extra.put(k, Latency.Stats.median(having, f -> f.extra.get(k)));
        }
        final List<Latency> lat = reps.stream().map(Figure::latency).toList();
        return new Figure(reps.get(0).name, med(reps, Figure::targetRate), med(reps, Figure::rate), med(reps, Figure::seconds),
                Math.round(med(reps, f -> f.sent)), Math.round(med(reps, f -> f.acked)), Math.round(med(reps, f -> f.delivered)),
                Math.round(med(reps, f -> f.duplicates)), Math.round(med(reps, f -> f.failed)), Latency.median(lat),
                med(reps, Figure::brokerCpu), med(reps, Figure::generatorCpu), Math.round(med(reps, f -> f.brokerHeapBytes)),
                Math.round(med(reps, f -> f.brokerRssBytes)), statuses, extra, ok, String.join("; ", notes));
    }

    private static double med(final List<Figure> reps, final java.util.function.ToDoubleFunction<Figure> v) {
        return Latency.Stats.median(reps, v);
    }

    /** As JSON. */
    public @NotNull JsonObject toJson() {
        final JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("targetRate", Latency.Stats.round3(targetRate));
        o.addProperty("rate", Latency.Stats.round3(rate));
        o.addProperty("seconds", Latency.Stats.round3(seconds));
        o.addProperty("sent", sent);
        o.addProperty("acked", acked);
        o.addProperty("delivered", delivered);
        o.addProperty("duplicates", duplicates);
        o.addProperty("failed", failed);
        o.add("latency", latency.toJson());
        o.addProperty("brokerCpuPercent", Latency.Stats.round3(brokerCpu));
        o.addProperty("generatorCpuPercent", Latency.Stats.round3(generatorCpu));
        o.addProperty("brokerHeapBytes", brokerHeapBytes);
        o.addProperty("brokerRssBytes", brokerRssBytes);
        final JsonObject st = new JsonObject();
        statuses.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> st.addProperty(e.getKey(), e.getValue()));
        o.add("statuses", st);
        final JsonObject ex = new JsonObject();
        extra.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> ex.addProperty(e.getKey(), Latency.Stats.round3(e.getValue())));
        o.add("extra", ex);
        o.addProperty("ok", ok);
        o.addProperty("note", note);
        return o;
    }

    /** Builds a {@link Figure}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private double targetRate;
        private double rate;
        private double seconds;
        private long sent;
        private long acked;
        private long delivered;
        private long duplicates;
        private long failed;
        private Latency latency = Latency.EMPTY;
        private double brokerCpu = -1;
        private double generatorCpu = -1;
        private long brokerHeapBytes = -1;
        private long brokerRssBytes = -1;
        private final Map<String, Long> statuses = new TreeMap<>();
        private final Map<String, Double> extra = new LinkedHashMap<>();
        private boolean ok = true;
        private final List<String> notes = new ArrayList<>();

        private Builder(final String name) {
            this.name = name;
        }

        /** The rate aimed at. */
        public @NotNull Builder targetRate(final double v) {
            targetRate = v;
            return this;
        }

        /** Computes the achieved rate as {@code count / seconds} and records the window length. */
        public @NotNull Builder window(final long count, final double windowSeconds) {
            seconds = windowSeconds;
            rate = windowSeconds > 0 ? count / windowSeconds : 0;
            return this;
        }

        /** Counts of what was sent, accepted, delivered, duplicated and failed. */
        public @NotNull Builder counts(final long s, final long a, final long d, final long dup, final long f) {
            sent = s;
            acked = a;
            delivered = d;
            duplicates = dup;
            failed = f;
            return this;
        }

        /** The latency percentiles. */
        public @NotNull Builder latency(final @NotNull Latency l) {
            latency = l;
            return this;
        }

        /** CPU use of broker and generator. */
        public @NotNull Builder cpu(final @NotNull CpuWindow.Usage u) {
            brokerCpu = u.brokerPercent();
            generatorCpu = u.generatorPercent();
            return this;
        }

        /** Broker memory. */
        public @NotNull Builder memory(final long heapBytes, final long rssBytes) {
            brokerHeapBytes = heapBytes;
            brokerRssBytes = rssBytes;
            return this;
        }

        /** Adds acknowledgement status counts. */
        public @NotNull Builder statuses(final @NotNull Map<String, Long> s) {
            s.forEach((k, v) -> statuses.merge(k, v, Long::sum));
            return this;
        }

        /** A scenario-specific number. */
        public @NotNull Builder extra(final @NotNull String key, final double value) {
            extra.put(key, value);
            return this;
        }

        /** Marks the figure as failed with a reason (may be called several times). */
        public @NotNull Builder fail(final @NotNull String why) {
            ok = false;
            notes.add(why);
            return this;
        }

        /** Adds a remark that is not a failure. */
        public @NotNull Builder note(final @Nullable String remark) {
            if (remark != null && !remark.isEmpty()) {
                notes.add(remark);
            }
            return this;
        }

        /** The figure. */
        public @NotNull Figure build() {
            return new Figure(name, targetRate, rate, seconds, sent, acked, delivered, duplicates, failed, latency,
                    brokerCpu, generatorCpu, brokerHeapBytes, brokerRssBytes, statuses, extra, ok, String.join("; ", notes));
        }
    }
}
