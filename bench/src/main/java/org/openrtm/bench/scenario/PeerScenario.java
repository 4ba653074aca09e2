package org.openrtm.bench.scenario;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.bench.Options;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.load.PairTraffic;
import org.openrtm.bench.load.Payloads;
import org.openrtm.bench.metrics.Figure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Scenario 1: peer messages at QoS 1 between sender/recipient pairs. Per repetition: a warm-up, one figure per fixed
 * rate ({@code rate-1000}, {@code rate-10000}), and the maximum sustained rate ({@code max}): the rate is raised by a
 * factor until a step loses or refuses a message, cannot finish, or its p99 exceeds the limit, then bisected between
 * the last good and the first bad rate (if the starting rate already fails, it is halved until one passes).
 */
public final class PeerScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(PeerScenario.class);

    /** The options this scenario takes (besides the common ones). */
    public static final Set<String> OPTIONS = Set.of("pairs", "payload", "rates", "duration", "warmup", "warmup-rate",
            "search", "search-from", "search-to", "search-factor", "search-refine", "search-step", "max-p99",
            "receipts", "drain-timeout", "history", "fan-in");

    /** How often the search halves a failing starting rate before it gives up. */
    static final int MAX_HALVINGS = 6;

    private final int pairs;
    private final int payload;
    private final List<Double> rates;
    private final Duration duration;
    private final Duration warmup;
    private final double warmupRate;
    private final boolean search;
    private final double searchFrom;
    private final double searchTo;
    private final double searchFactor;
    private final int searchRefine;
    private final Duration searchStep;
    private final double maxP99Ms;
    private final boolean receipts;
    private final Duration drainTimeout;
    private final String history;
    private final boolean fanIn;

    /**
     * @param o the parsed options
     * @throws IllegalArgumentException for an option out of range
     */
    public PeerScenario(final @NotNull Options o) {
        pairs = o.integer("pairs", 100, 1, 10_000);
        payload = o.integer("payload", 100, Payloads.HEADER_BYTES, 8192);
        rates = o.numbers("rates", List.of(1_000.0, 10_000.0));
        duration = o.duration("duration", Duration.ofSeconds(10), Duration.ofMillis(100));
        warmup = o.duration("warmup", Duration.ofSeconds(15), Duration.ZERO);
        warmupRate = o.number("warmup-rate", 0, 0, 10_000_000);
        search = o.flag("search", true);
        searchFrom = o.number("search-from", 5_000, 1, 10_000_000);
        searchTo = o.number("search-to", 200_000, searchFrom, 10_000_000);
        searchFactor = o.number("search-factor", 1.5, 1.05, 10);
        searchRefine = o.integer("search-refine", 2, 0, 10);
        searchStep = o.duration("search-step", Duration.ofSeconds(5), Duration.ofMillis(100));
        maxP99Ms = o.duration("max-p99", Duration.ofMillis(250), Duration.ofMillis(1)).toNanos() / 1e6;
        receipts = o.flag("receipts", true);
        drainTimeout = o.duration("drain-timeout", Duration.ofSeconds(15), Duration.ofSeconds(1));
        history = o.string("history", "on");
        fanIn = o.flag("fan-in", false);
        if (!List.of("on", "off", "both").contains(history)) {
            throw new IllegalArgumentException("--history must be on, off or both, but was '" + history + "'");
        }
    }

    @Override
    public @NotNull String name() {
        return "peer";
    }

    @Override
    public boolean comparesHistory() {
        return true;
    }

    @Override
    public @NotNull JsonObject parameters() {
        final JsonObject p = new JsonObject();
        p.addProperty("pairs", pairs);
        p.addProperty("fanIn", fanIn ? "on: every sender sends to one recipient" : "off");
        p.addProperty("payloadBytes", payload);
        p.addProperty("qos", 1);
        final JsonArray r = new JsonArray();
        rates.forEach(r::add);
        p.add("rates", r);
        p.addProperty("durationSeconds", duration.toMillis() / 1000.0);
        p.addProperty("warmupSeconds", warmup.toMillis() / 1000.0);
        p.addProperty("warmupRate", warmupRate());
        p.addProperty("search", search);
        p.addProperty("searchFrom", searchFrom);
        p.addProperty("searchTo", searchTo);
        p.addProperty("searchFactor", searchFactor);
        p.addProperty("searchRefine", searchRefine);
        p.addProperty("searchStepSeconds", searchStep.toMillis() / 1000.0);
        p.addProperty("maxP99Ms", maxP99Ms);
        p.addProperty("receipts", receipts);
        p.addProperty("drainTimeoutSeconds", drainTimeout.toSeconds());
        p.addProperty("history", switch (history) {
            case "both" -> "both: a records history, h is OpenRTM with history.enabled=false (ratio a/h)";
            case "off" -> "off: history.enabled=false for OpenRTM";
            default -> "on: history.enabled as set (default true)";
        });
        return p;
    }

    /**
     * The warm-up's rate: {@code --warmup-rate}, by default 5,000 msg/s (whatever the measured rates are). A short
     * warm-up at a low rate leaves the broker's JIT compiling the high-rate paths during the measured phases, which
     * then show the compiler's CPU and a fraction of the broker's real capacity (docs/benchmarks.md, Finding 10).
     */
    private double warmupRate() {
        return warmupRate > 0 ? warmupRate : 5_000;
    }

    @Override
    public @NotNull List<Figure> runOnce(final @NotNull BrokerHandle broker, final @NotNull Generator generator, final int rep)
            throws Exception {
        final PairTraffic t = new PairTraffic(broker, generator, "p" + rep + "-", pairs, payload, fanIn);
        t.connect(receipts, Duration.ofSeconds(60));
        try {
            if (!warmup.isZero()) {
                t.runAtRate("warmup", warmupRate(), warmup, drainTimeout, 0);
            }
            final List<Figure> figures = new ArrayList<>();
            for (final double rate : rates) {
                final Figure f = t.runAtRate("rate-" + label(rate), rate, duration, drainTimeout, 0);
                log.info("{} rep {} {}: {} msg/s, p99 {} ms{}", broker.target().id(), rep, f.name(), round(f.rate()),
                        f.latency().p99Ms(), f.ok() ? "" : " (" + f.note() + ")");
                figures.add(f);
            }
            if (search) {
                figures.add(searchMax(t, broker, rep));
            }
            return figures;
        } finally {
            t.disconnect();
        }
    }

    private Figure searchMax(final PairTraffic t, final BrokerHandle broker, final int rep) {
        Figure best = null;
        double good = 0;
        double bad = 0;
        int steps = 0;
        for (double rate = searchFrom; rate <= searchTo * 1.0001; rate *= searchFactor) {
            final Figure f = step(t, broker, rep, rate);
            steps++;
            if (!f.ok()) {
                bad = rate;
                break;
            }
            best = f;
            good = rate;
        }
        // the starting rate already failed: halve until a rate passes (at most MAX_HALVINGS times)
        for (int i = 0; best == null && bad > 0 && i < MAX_HALVINGS; i++) {
            final double lower = bad / 2;
            final Figure f = step(t, broker, rep, lower);
            steps++;
            if (f.ok()) {
                best = f;
                good = lower;
            } else {
                bad = lower;
            }
        }
        for (int i = 0; i < searchRefine && bad > 0 && good > 0; i++) {
            final double mid = (good + bad) / 2;
            final Figure f = step(t, broker, rep, mid);
            steps++;
            if (f.ok()) {
                best = f;
                good = mid;
            } else {
                bad = mid;
            }
        }
        if (best == null) {
            return Figure.builder("max").extra("searchSteps", steps).extra("firstFailingRate", bad)
                    .fail("no rate passed, down to " + label(bad) + " msg/s").build();
        }
        final Figure.Builder b = Figure.builder("max").targetRate(best.targetRate())
                .window(best.delivered(), best.seconds())
                .counts(best.sent(), best.acked(), best.delivered(), best.duplicates(), best.failed())
                .latency(best.latency())
                .memory(best.brokerHeapBytes(), best.brokerRssBytes())
                .statuses(best.statuses())
                .extra("searchSteps", steps)
                .extra("firstFailingRate", bad);
        best.extra().forEach(b::extra);
        b.cpu(new org.openrtm.bench.metrics.CpuWindow.Usage(best.brokerCpu(), best.generatorCpu()));
        if (bad == 0) {
            b.note("every step up to --search-to " + label(searchTo) + " msg/s passed: the maximum is at least that");
        }
        return b.build();
    }

    private Figure step(final PairTraffic t, final BrokerHandle broker, final int rep, final double rate) {
        final Figure f = t.runAtRate("search-" + label(rate), rate, searchStep, drainTimeout, maxP99Ms);
        log.info("{} rep {} search {} msg/s: {} (achieved {} msg/s, p99 {} ms, broker CPU {}%)", broker.target().id(), rep,
                label(rate), f.ok() ? "pass" : "FAIL: " + f.note(), round(f.rate()), f.latency().p99Ms(),
                round(f.brokerCpu()));
        return f;
    }

    static String label(final double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : String.format(Locale.ROOT, "%.0f", rate);
    }

    private static long round(final double v) {
        return Math.round(v);
    }
}
