package org.openrtm.bench;

import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.bench.broker.JavaBrokerProcess;
import org.openrtm.bench.broker.LaunchOptions;
import org.openrtm.bench.broker.MosquittoProcess;
import org.openrtm.bench.broker.Target;
import org.openrtm.bench.load.Generator;
import org.openrtm.bench.metrics.Figure;
import org.openrtm.bench.metrics.ProcStats;
import org.openrtm.bench.report.Report;
import org.openrtm.bench.scenario.Scenario;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * Runs one scenario side by side: starts every requested broker as a child process, runs the repetitions interleaved
 * (a, b, c, a, b, c, ...) so that drift of a shared machine hits every broker alike, stops the brokers, and builds the
 * {@link Report}. Not thread-safe; one run at a time.
 */
public final class BenchRun {

    private static final Logger log = LoggerFactory.getLogger(BenchRun.class);

    /** The options every scenario takes. */
    public static final java.util.Set<String> COMMON_OPTIONS = java.util.Set.of("targets", "reps", "setting", "broker-heap",
            "broker-jvm-opt", "jfr", "mosquitto", "threads", "results", "label", "source-addresses", "coap-setting");

    /**
     * Extension settings the benchmark applies to OpenRTM unless overridden with {@code --setting}: the per-client rate
     * limit (100 publishes per second by default) would otherwise refuse the load itself.
     */
    public static final Map<String, String> DEFAULT_SETTINGS = Map.of(
            "limits.rate-per-second", "1000000",
            "limits.rate-burst", "1000000");

    private final List<Scenario> scenarios;
    private final Options options;
    private final int devicesHint;

    /**
     * @param scenario    what to run
     * @param options     the common options (and the scenario's, for the report)
     * @param devicesHint how many connections the scenario opens at most (chooses the number of source addresses)
     */
    public BenchRun(final @NotNull Scenario scenario, final @NotNull Options options, final int devicesHint) {
        this(List.of(scenario), options, devicesHint);
    }

    /**
     * Several scenarios one after the other on the same brokers (started once): what the smoke tests use, so that
     * starting and stopping brokers does not dominate their time.
     *
     * @param scenarios   what to run, in order, at least one
     * @param options     the common options
     * @param devicesHint how many connections a scenario opens at most
     */
    public BenchRun(final @NotNull List<Scenario> scenarios, final @NotNull Options options, final int devicesHint) {
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("scenarios must not be empty");
        }
        this.scenarios = List.copyOf(scenarios);
        this.options = options;
        this.devicesHint = devicesHint;
    }

    /**
     * Runs the (first) scenario.
     *
     * @return the report (also when some brokers failed: their status says why)
     * @throws IOException if the work folder cannot be created
     * @throws IllegalArgumentException for invalid common options
     */
    public @NotNull Report run() throws IOException {
        return runAll().get(0);
    }

    /**
     * Runs every scenario, each with its repetitions interleaved over the brokers, on brokers started once.
     *
     * @return one report per scenario, in order
     * @throws IOException if the work folder cannot be created
     * @throws IllegalArgumentException for invalid common options
     */
    public @NotNull List<Report> runAll() throws IOException {
        final List<Target> wanted = new ArrayList<>();
        for (final String t : options.words("targets", List.of("a", "b", "c"))) {
            final Target target = Target.parse(t);
            if (!wanted.contains(target)) {
                wanted.add(target);
            }
        }
        final int reps = options.integer("reps", 3, 1, 1000);
        final Map<String, String> settings = new LinkedHashMap<>(DEFAULT_SETTINGS);
        for (final String s : options.all("setting")) {
            final int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--setting must be key=value, but was '" + s + "'");
            }
            settings.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        final boolean namedH = wanted.contains(Target.RTM_HISTORY_OFF);
        applyHistory(options.string("history", "on"), wanted, settings);
        final Map<String, String> coapSettings = new LinkedHashMap<>();
        for (final String s : options.all("coap-setting")) {
            final int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--coap-setting must be key=value, but was '" + s + "'");
            }
            coapSettings.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        final int threads = options.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        final int autoSources = (int) Math.min(254, Math.max(1, (devicesHint + 24_999L) / 25_000));
        final int sources = options.has("source-addresses") ? options.integer("source-addresses", 1, 1, 254) : autoSources;
        final Path results = Path.of(options.string("results", defaultResults()));
        final ZonedDateTime started = ZonedDateTime.now();
        final Path work = results.resolve(scenarios.get(0).name() + "-"
                + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-work");
        Files.createDirectories(work);
        final String mosq = options.string("mosquitto", "auto");
        final Path mosquitto = "off".equals(mosq) ? null : "auto".equals(mosq) ? MosquittoProcess.find() : Path.of(mosq);
        final LaunchOptions launch = new LaunchOptions(work, secret(), settings, options.string("broker-heap", "2g"),
                options.all("broker-jvm-opt"), options.flag("jfr", false) ? results : null, mosquitto,
                System.getProperty("java.class.path"), coapSettings);

        final Map<Target, BrokerHandle> brokers = new EnumMap<>(Target.class);
        final Map<Target, String> startErrors = new EnumMap<>(Target.class);
        final Thread killer = new Thread(() -> brokers.values().forEach(BrokerHandle::close), "bench-shutdown");
        Runtime.getRuntime().addShutdownHook(killer);
        final List<List<Report.TargetInfo>> infos = new ArrayList<>();
        final List<List<Report.Run>> runs = new ArrayList<>();
        try {
            for (final Scenario scenario : scenarios) {
                final List<Report.TargetInfo> info = new ArrayList<>();
                for (final Target t : wanted) {
                    final String why = scenario.unsupported(t, settings);
                    if (t == Target.MOSQUITTO && mosquitto == null) {
                        info.add(new Report.TargetInfo(t, "skipped: no mosquitto binary on the PATH", ""));
                    } else if (why != null) {
                        info.add(new Report.TargetInfo(t, "skipped: " + why, ""));
                    } else if (t == Target.RTM_HISTORY_OFF && !namedH && !scenario.comparesHistory()) {
                        info.add(new Report.TargetInfo(t, "skipped: history on/off is compared in the peer scenario", ""));
                    } else {
                        info.add(new Report.TargetInfo(t, "ok", ""));
                    }
                }
                infos.add(info);
            }
            // the brokers start in parallel (a JVM broker takes seconds, mostly waiting); they idle until their turn
            final Map<Target, CompletableFuture<BrokerHandle>> starting = new EnumMap<>(Target.class);
            for (final Target t : wanted) {
                if (infos.stream().noneMatch(l -> l.stream().anyMatch(i -> i.target() == t && i.status().equals("ok")))) {
                    continue;
                }
                log.info("starting {} ({})", t.id(), t.description());
                starting.put(t, CompletableFuture.supplyAsync(() -> {
                    try {
                        return t == Target.MOSQUITTO ? MosquittoProcess.start(mosquitto, work.resolve("mosquitto"))
                                : JavaBrokerProcess.start(t, launch);
                    } catch (final IOException e) {
                        throw new CompletionException(e);
                    }
                }, runnable -> {
                    final Thread th = new Thread(runnable, "bench-start-" + t.id());
                    th.setDaemon(true);
                    th.start();
                }));
            }
            for (final Map.Entry<Target, CompletableFuture<BrokerHandle>> e : starting.entrySet()) {
                try {
                    brokers.put(e.getKey(), e.getValue().join());
                } catch (final CompletionException | CancellationException failed) {
                    final Throwable cause = failed.getCause() == null ? failed : failed.getCause();
                    log.error("{} did not start: {}", e.getKey().id(), cause.getMessage());
                    startErrors.put(e.getKey(), "error: " + cause.getMessage());
                }
            }
            final Generator generator = new Generator(threads, sources, launch.secret());
            for (int s = 0; s < scenarios.size(); s++) {
                final Scenario scenario = scenarios.get(s);
                final List<Report.TargetInfo> info = infos.get(s);
                for (int i = 0; i < info.size(); i++) {
                    final Target t = info.get(i).target();
                    if (info.get(i).status().equals("ok")) {
                        info.set(i, startErrors.containsKey(t) ? new Report.TargetInfo(t, startErrors.get(t), "")
                                : new Report.TargetInfo(t, "ok", brokers.get(t).version()));
                    }
                }
                final List<Report.Run> scenarioRuns = new ArrayList<>();
                for (int rep = 1; rep <= reps; rep++) {
                    for (final Report.TargetInfo ti : info) {
                        if (ti.status().equals("ok")) {
                            scenarioRuns.add(runOnce(scenario, brokers.get(ti.target()), generator, rep));
                        }
                    }
                }
                runs.add(scenarioRuns);
            }
        } finally {
            brokers.values().parallelStream().forEach(BrokerHandle::close); // each stop takes seconds; overlap them
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (final IllegalStateException shuttingDown) {
                log.debug("JVM is shutting down; the hook runs anyway");
            }
            deleteData(work);
        }
        final JsonObject env = environment(settings, threads, sources, launch, work);
        final List<Report> reports = new ArrayList<>();
        for (int s = 0; s < scenarios.size(); s++) {
            reports.add(new Report(scenarios.get(s).name(), parametersWithCommon(scenarios.get(s), reps, wanted), env,
                    started, infos.get(s), runs.get(s)));
        }
        return reports;
    }

    /**
     * Applies {@code --history on|off|both} (peer scenario): {@code off} turns history off for OpenRTM, {@code both}
     * adds OpenRTM with history off (h) right after OpenRTM (a), so that the two run interleaved.
     */
    static void applyHistory(final @NotNull String mode, final @NotNull List<Target> wanted,
                             final @NotNull Map<String, String> settings) {
        switch (mode) {
            case "on":
                break;
            case "off":
                settings.put(JavaBrokerProcess.HISTORY_ENABLED, "false");
                break;
            case "both":
                if (!wanted.contains(Target.RTM)) {
                    throw new IllegalArgumentException("--history both compares OpenRTM (a) with history on and off, "
                            + "but --targets does not include a");
                }
                if (!wanted.contains(Target.RTM_HISTORY_OFF)) {
                    wanted.add(wanted.indexOf(Target.RTM) + 1, Target.RTM_HISTORY_OFF);
                }
                if ("false".equals(settings.get(JavaBrokerProcess.HISTORY_ENABLED))) {
                    throw new IllegalArgumentException("--history both needs history on for a, but --setting "
                            + JavaBrokerProcess.HISTORY_ENABLED + "=false turns it off");
                }
                break;
            default:
                throw new IllegalArgumentException("--history must be on, off or both, but was '" + mode + "'");
        }
    }

    private static Report.Run runOnce(final Scenario scenario, final BrokerHandle broker, final Generator generator,
                                      final int rep) {
        final Target t = broker.target();
        if (!broker.isAlive()) {
            return new Report.Run(rep, t, List.of(), "the broker process is no longer running");
        }
        log.info("rep {}: {}", rep, t.id());
        try {
            final List<Figure> figures = scenario.runOnce(broker, generator, rep);
            return new Report.Run(rep, t, figures, null);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Report.Run(rep, t, List.of(), "interrupted");
        } catch (final Exception e) {
            log.error("rep {} against {} failed: {}", rep, t.id(), e.toString());
            log.debug("failure", e);
            return new Report.Run(rep, t, List.of(), e.toString());
        }
    }

    private static JsonObject parametersWithCommon(final Scenario scenario, final int reps, final List<Target> wanted) {
        final JsonObject p = scenario.parameters();
        p.addProperty("reps", reps);
        p.addProperty("targets", String.join(",", wanted.stream().map(Target::letter).toList()));
        return p;
    }

    private JsonObject environment(final Map<String, String> settings, final int threads, final int sources,
                                   final LaunchOptions launch, final Path work) {
        final JsonObject env = new JsonObject();
        env.addProperty("cores", Runtime.getRuntime().availableProcessors());
        env.addProperty("cpu", ProcStats.cpuModel());
        env.addProperty("memoryBytes", ProcStats.memTotalBytes());
        env.addProperty("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.addProperty("generatorThreads", threads);
        env.addProperty("sourceAddresses", sources);
        env.addProperty("brokerHeap", launch.heap());
        env.addProperty("brokerJvmOptions", String.join(" ", launch.jvmOptions()));
        env.addProperty("logs", work.toString());
        if (options.has("label")) {
            env.addProperty("label", options.string("label", ""));
        }
        final JsonObject s = new JsonObject();
        settings.forEach(s::addProperty);
        env.add("openrtmSettings", s);
        final JsonObject c = new JsonObject();
        launch.coapSettings().forEach(c::addProperty);
        env.add("coapGatewaySettings", c);
        final JsonObject given = new JsonObject();
        options.asMap().forEach((k, v) -> given.addProperty(k, String.join(" ", v)));
        env.add("options", given);
        return env;
    }

    /** Keeps logs and configuration files; deletes the brokers' data folders. */
    private static void deleteData(final Path work) {
        try (Stream<Path> dirs = Files.list(work)) {
            for (final Path d : dirs.filter(p -> p.getFileName().toString().endsWith("-data")).toList()) {
                try (Stream<Path> all = Files.walk(d)) {
                    all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (final IOException e) {
            log.warn("could not delete the brokers' data under {}: {}", work, e.toString());
        }
    }

    private static String defaultResults() {
        return Files.isDirectory(Path.of("bench", "src")) ? "bench/target/results" : "target/results";
    }

    private static String secret() {
        final byte[] raw = new byte[48];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
