package org.openrtm.bench.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.metrics.Latency;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The outcome of one benchmark run: every repetition's figures per broker, their medians, the ratios a/b and a/c,
 * printed as a table and written as JSON. Immutable once built.
 */
public final class Report {

    /**
     * What happened to one broker in the run.
     *
     * @param target  which broker
     * @param status  {@code ok}, {@code skipped: why} or {@code error: why}
     * @param version the broker's version string, or empty
     */
    public record TargetInfo(@NotNull Target target, @NotNull String status, @NotNull String version) {
    }

    /**
     * One repetition against one broker.
     *
     * @param rep     repetition number, from 1
     * @param target  the broker
     * @param figures its figures (empty if it failed)
     * @param error   why it failed, or null
     */
    public record Run(int rep, @NotNull Target target, @NotNull List<Figure> figures, @Nullable String error) {
    }

    private final String scenario;
    private final JsonObject parameters;
    private final JsonObject environment;
    private final ZonedDateTime started;
    private final List<TargetInfo> targets;
    private final List<Run> runs;
    private final Map<String, Map<Target, Figure>> medians = new LinkedHashMap<>();

    /**
     * @param scenario    the scenario's name
     * @param parameters  its parameters
     * @param environment the machine, the JVM, the label, the settings
     * @param started     when the run started
     * @param targets     every broker asked for, with its status
     * @param runs        every repetition, in the order they ran
     */
    public Report(final @NotNull String scenario, final @NotNull JsonObject parameters, final @NotNull JsonObject environment,
                  final @NotNull ZonedDateTime started, final @NotNull List<TargetInfo> targets, final @NotNull List<Run> runs) {
        this.scenario = scenario;
        this.parameters = parameters.deepCopy();
        this.environment = environment.deepCopy();
        this.started = started;
        this.targets = List.copyOf(targets);
        this.runs = List.copyOf(runs);
        final Set<String> names = new LinkedHashSet<>();
        for (final Run r : runs) {
            r.figures().forEach(f -> names.add(f.name()));
        }
        for (final String name : names) {
            final Map<Target, Figure> byTarget = new EnumMap<>(Target.class);
            for (final TargetInfo t : targets) {
                final List<Figure> reps = new ArrayList<>();
                for (final Run r : runs) {
                    if (r.target() == t.target()) {
                        r.figures().stream().filter(f -> f.name().equals(name)).forEach(reps::add);
                    }
                }
                if (!reps.isEmpty()) {
                    byTarget.put(t.target(), Figure.median(reps));
                }
            }
            medians.put(name, byTarget);
        }
    }

    /** The scenario's name. */
    public @NotNull String scenario() {
        return scenario;
    }

    /** Every repetition. */
    public @NotNull List<Run> runs() {
        return runs;
    }

    /** The brokers and their status. */
    public @NotNull List<TargetInfo> targets() {
        return targets;
    }

    /** Median figures by figure name, then broker. */
    public @NotNull Map<String, Map<Target, Figure>> medians() {
        return medians;
    }

    /** Ratio of a metric between two brokers' medians, or NaN when either is missing or the divisor is 0. */
    public double ratio(final @NotNull String figure, final @NotNull Target num, final @NotNull Target den,
                        final @NotNull ToDoubleFunction<Figure> metric) {
        final Map<Target, Figure> m = medians.getOrDefault(figure, Map.of());
        final Figure a = m.get(num);
        final Figure b = m.get(den);
        if (a == null || b == null) {
            return Double.NaN;
        }
        final double n = metric.applyAsDouble(a);
        final double d = metric.applyAsDouble(b);
        // -1 marks a figure that does not apply (no heap for Mosquitto, no CPU for a failed search)
        return d <= 0 || n < 0 || !a.ok() && a.sent() == 0 || !b.ok() && b.sent() == 0 ? Double.NaN : n / d;
    }

    private static final Map<String, ToDoubleFunction<Figure>> RATIO_METRICS = ratioMetrics();

    /**
     * What OpenRTM (a) is compared with: itself with history off (a/h, the cost of recording, when the peer scenario
     * ran with {@code --history both}), plain HiveMQ CE (a/b), HiveMQ CE with no-op interceptors (a/n) and Mosquitto (a/c).
     */
    private static final List<Target> DENOMINATORS = List.of(Target.RTM_HISTORY_OFF, Target.HIVEMQ, Target.HIVEMQ_NOOP,
            Target.MOSQUITTO);

    private static Map<String, ToDoubleFunction<Figure>> ratioMetrics() {
        final Map<String, ToDoubleFunction<Figure>> m = new LinkedHashMap<>();
        m.put("rate", Figure::rate);
        m.put("p50Ms", f -> f.latency().p50Ms());
        m.put("p99Ms", f -> f.latency().p99Ms());
        m.put("p999Ms", f -> f.latency().p999Ms());
        m.put("maxMs", f -> f.latency().maxMs());
        m.put("brokerCpuPercent", Figure::brokerCpu);
        m.put("brokerHeapBytes", f -> f.brokerHeapBytes() < 0 ? Double.NaN : f.brokerHeapBytes());
        m.put("brokerRssBytes", f -> f.brokerRssBytes() < 0 ? Double.NaN : f.brokerRssBytes());
        return m;
    }

    /** The whole report as JSON. */
    public @NotNull JsonObject toJson() {
        final JsonObject o = new JsonObject();
        o.addProperty("scenario", scenario);
        o.addProperty("started", started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        o.add("environment", environment);
        o.add("parameters", parameters);
        final JsonArray ts = new JsonArray();
        for (final TargetInfo t : targets) {
            final JsonObject j = new JsonObject();
            j.addProperty("letter", t.target().letter());
            j.addProperty("id", t.target().id());
            j.addProperty("description", t.target().description());
            j.addProperty("version", t.version());
            j.addProperty("status", t.status());
            ts.add(j);
        }
        o.add("targets", ts);
        final JsonArray rs = new JsonArray();
        for (final Run r : runs) {
            final JsonObject j = new JsonObject();
            j.addProperty("rep", r.rep());
            j.addProperty("target", r.target().letter());
            if (r.error() != null) {
                j.addProperty("error", r.error());
            }
            final JsonArray fs = new JsonArray();
            r.figures().forEach(f -> fs.add(f.toJson()));
            j.add("figures", fs);
            rs.add(j);
        }
        o.add("runs", rs);
        final JsonObject med = new JsonObject();
        final JsonObject ratios = new JsonObject();
        medians.forEach((name, byTarget) -> {
            final JsonObject m = new JsonObject();
            byTarget.forEach((t, f) -> m.add(t.letter(), f.toJson()));
            med.add(name, m);
            final JsonObject r = new JsonObject();
            for (final Target den : DENOMINATORS) {
                final JsonObject x = new JsonObject();
                RATIO_METRICS.forEach((k, fn) -> {
                    final double v = ratio(name, Target.RTM, den, fn);
                    if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                        x.addProperty(k, Latency.Stats.round3(v));
                    }
                });
                if (x.size() > 0) {
                    r.add("a/" + den.letter(), x);
                }
            }
            ratios.add(name, r);
        });
        o.add("medians", med);
        o.add("ratios", ratios);
        return o;
    }

    /**
     * Writes the JSON into a folder as {@code <scenario>-<yyyyMMdd-HHmmss>.json}.
     *
     * @return the file written
     * @throws IOException if it cannot be written
     */
    public @NotNull Path write(final @NotNull Path dir) throws IOException {
        Files.createDirectories(dir);
        final Path file = dir.resolve(scenario + "-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** Prints the medians and ratios as a table. */
    public void print(final @NotNull PrintStream out) {
        final int reps = runs.stream().mapToInt(Run::rep).max().orElse(0);
        out.printf(Locale.ROOT, "%nscenario %s, %s, median of %d repetition(s)%s%n", scenario,
                started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), reps,
                environment.has("label") ? " - " + environment.get("label").getAsString() : "");
        for (final TargetInfo t : targets) {
            out.printf(Locale.ROOT, "  %s  %-10s %-45s %s%n", t.target().letter(), t.target().id(), t.version(), t.status());
        }
        for (final Run r : runs) {
            if (r.error() != null) {
                out.printf(Locale.ROOT, "  rep %d %s failed: %s%n", r.rep(), r.target().id(), r.error());
            }
        }
        final String head = String.format(Locale.ROOT, "  %-12s %11s %8s %8s %8s %8s %9s %9s %5s %6s %7s %7s %8s %8s  %s",
                "broker", "per s", "p50 ms", "p99 ms", "p99.9", "max ms", "sent", "delivered", "dup", "failed",
                "brk CPU", "gen CPU", "heap MiB", "RSS MiB", "ok");
        medians.forEach((name, byTarget) -> {
            out.printf(Locale.ROOT, "%n%s%n%s%n", name, head);
            byTarget.forEach((t, f) -> out.printf(Locale.ROOT,
                    "  %-12s %11.1f %8.3f %8.3f %8.3f %8.3f %9d %9d %5d %6d %6.0f%% %6.0f%% %8s %8s  %s%n",
                    t.letter() + " " + t.id(), f.rate(), f.latency().p50Ms(), f.latency().p99Ms(), f.latency().p999Ms(),
                    f.latency().maxMs(), f.sent(), f.delivered(), f.duplicates(), f.failed(), f.brokerCpu(), f.generatorCpu(),
                    mib(f.brokerHeapBytes()), mib(f.brokerRssBytes()), f.ok() ? "yes" : "NO: " + f.note()));
            for (final Target den : DENOMINATORS) {
                if (byTarget.containsKey(Target.RTM) && byTarget.containsKey(den)) {
                    out.printf(Locale.ROOT, "  %-12s %11s %8s %8s %8s %8s %9s %9s %5s %6s %7s %7s %8s %8s%n",
                            "ratio a/" + den.letter(), x(name, den, Figure::rate), x(name, den, f -> f.latency().p50Ms()),
                            x(name, den, f -> f.latency().p99Ms()), x(name, den, f -> f.latency().p999Ms()),
                            x(name, den, f -> f.latency().maxMs()), "", "", "", "", x(name, den, Figure::brokerCpu), "",
                            x(name, den, f -> f.brokerHeapBytes() < 0 ? Double.NaN : f.brokerHeapBytes()),
                            x(name, den, f -> f.brokerRssBytes() < 0 ? Double.NaN : f.brokerRssBytes()));
                }
            }
            byTarget.forEach((t, f) -> {
                if (!f.extra().isEmpty()) {
                    final StringBuilder sb = new StringBuilder("  " + t.letter() + " extra:");
                    f.extra().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .forEach(e -> sb.append(' ').append(e.getKey()).append('=').append(num(e.getValue())));
                    if (!f.statuses().isEmpty()) {
                        sb.append(" statuses=").append(f.statuses());
                    }
                    out.println(sb);
                }
            });
        });
        out.println();
    }

    private String x(final String name, final Target den, final ToDoubleFunction<Figure> fn) {
        final double v = ratio(name, Target.RTM, den, fn);
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
    }

    private static String mib(final long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String num(final double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
