package org.openrtm.bench;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.report.Report;
import org.openrtm.bench.history.HistoryBench;
import org.openrtm.bench.scenario.FanoutScenario;
import org.openrtm.bench.scenario.CoapScenario;
import org.openrtm.bench.scenario.FleetScenario;
import org.openrtm.bench.scenario.OfflineScenario;
import org.openrtm.bench.scenario.PeerScenario;
import org.openrtm.bench.scenario.PresenceScenario;
import org.openrtm.bench.scenario.Scenario;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark command line: one command per scenario.
 *
 * <pre>
 * java -jar bench/target/rtm-bench.jar peer|fanout|fleet|presence|offline [options]
 * java -jar bench/target/rtm-bench.jar history [options]      (the history store alone, in process)
 * java -jar bench/target/rtm-bench.jar coap [options]         (the CoAP gateway, OpenRTM only)
 * </pre>
 *
 * Prints a table of medians and ratios on stdout, progress on stderr, and writes JSON into the results folder.
 * See {@code bench/README.md} for every option.
 */
public final class BenchMain {

    static final String USAGE = String.join("\n",
            "Usage: java -jar bench/target/rtm-bench.jar SCENARIO [options]",
            "",
            "Scenarios (numbers as in issue 7):",
            "  peer      1. peer messages QoS 1: latency at fixed rates, maximum sustained rate, history on/off",
            "  fanout    2. channel fan-out to 100, 1,000, 10,000 members, without lists, rtm-except, rtm-only",
            "  fleet     3. many connected devices: connect rate, heap per connection, probe latency",
            "  presence  4. presence churn: time until a watcher sees a connect or disconnect",
            "  offline   5. offline cache: fill, reconnect storm, drain rate",
            "  history   the history store alone (no broker): append rate, history.query latency",
            "  coap      CoAP gateway: device sessions held, CoAP->MQTT and MQTT->CoAP rate and latency (OpenRTM only)",
            "",
            "Common options:",
            "  --targets a,b,c        a = OpenRTM, b = HiveMQ CE without the extension, c = Mosquitto (default a,b,c)",
            "  --reps N               interleaved repetitions (default 3)",
            "  --setting key=value    OpenRTM extension setting, repeatable (rate limits are raised by default)",
            "  --broker-heap SIZE     -Xms/-Xmx of the JVM brokers (default 2g)",
            "  --broker-jvm-opt OPT   extra JVM option for the JVM brokers, repeatable",
            "  --jfr on|off           record a JFR profile of the JVM brokers into the results folder (default off)",
            "  --mosquitto auto|off|PATH   the mosquitto binary (default: found on the PATH)",
            "  --threads N            generator event loop threads (default: cores)",
            "  --source-addresses N   loopback source addresses 127.0.0.1..N (default: one per 25,000 connections)",
            "  --results DIR          where JSON, logs and profiles go (default bench/target/results)",
            "  --label TEXT           a note recorded with the results (e.g. 'shared machine')",
            "",
            "peer:     --pairs 100 --payload 100 --rates 1000,10000 --duration 10s --warmup 3s --receipts on",
            "          --search on --search-from 5000 --search-to 200000 --search-factor 1.5 --search-refine 2",
            "          --search-step 5s --max-p99 250ms --drain-timeout 15s --history on|off|both",
            "fanout:   --members 100,1000,10000 --lists all,except,only --list-size 128 --payload 100",
            "          --rate-deliveries 10000 --duration 5s --burst-deliveries 100000 --max-burst-messages 500",
            "          --warmup 2s --drain-timeout 30s --connect-concurrency 200",
            "fleet:    --devices 2000 --connect-concurrency 200 --subscriptions inbox[,event,channel,presence] --probe-rate 100",
            "          --probe-duration 10s --probe-warmup 3s --payload 100 --connect-timeout 10m",
            "presence: --devices 200 --watchers 5 --churn-rate 100 --duration 20s --warmup 4s --drain-timeout 15s",
            "offline:  --pairs 100 --messages 100 --payload 100 --receipts on --drain-timeout 60s",
            "history:  --messages 1m --conversations 1000 --payload 100 --window 1024 --queries 2000 --spread 0s",
            "          --sync always|interval|never --checkpoint-interval 5s --results DIR --label TEXT",
            "          (no brokers: the extension's history store in this process; the common options do not apply)",
            "coap:     --devices 2000 --login-concurrency 200 --rate 500 --duration 10s --warmup 3s --payload 64",
            "          --keepalive 600 --sources 4 --drain-timeout 30s --connect-timeout 10m",
            "          (and the common --coap-setting key=value for the gateway, repeatable)");

    private BenchMain() {
    }

    /**
     * Runs a scenario from the command line and exits with its code.
     *
     * @param args the scenario name and options
     */
    public static void main(final String[] args) {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        final int code = run(args, out, err).code();
        System.exit(code);
    }

    /**
     * The result of a command.
     *
     * @param code   the exit code: 0 done, 1 failed, 2 usage error
     * @param report the report, if a scenario ran
     * @param json   the JSON file written, if a scenario ran
     */
    public record Outcome(int code, @Nullable Report report, @Nullable Path json) {
    }

    /**
     * Runs a command.
     *
     * @param args the scenario name and options
     * @param out  where the table goes
     * @param err  where errors go
     * @return what happened
     */
    public static @NotNull Outcome run(final String @NotNull [] args, final @NotNull PrintStream out,
                                       final @NotNull PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(USAGE);
            return new Outcome(args.length == 0 ? 2 : 0, null, null);
        }
        final List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            final Scenario scenario;
            final int devices;
            switch (args[0]) {
                case "peer": {
                    final Options o = Options.parse(rest, with(PeerScenario.OPTIONS));
                    scenario = new PeerScenario(o);
                    devices = 2 * o.integer("pairs", 100, 1, 10_000);
                    return execute(scenario, o, devices, out);
                }
                case "fleet": {
                    final Options o = Options.parse(rest, with(FleetScenario.OPTIONS));
                    final FleetScenario f = new FleetScenario(o);
                    return execute(f, o, f.devices() + 2, out);
                }
                case "offline": {
                    final Options o = Options.parse(rest, with(OfflineScenario.OPTIONS));
                    scenario = new OfflineScenario(o);
                    devices = 2 * o.integer("pairs", 100, 1, 100_000);
                    return execute(scenario, o, devices, out);
                }
                case "fanout": {
                    final Options o = Options.parse(rest, with(FanoutScenario.OPTIONS));
                    final FanoutScenario f = new FanoutScenario(o);
                    // members of every broker's repetition are in TIME_WAIT for a while: spread them over addresses
                    return execute(f, o, 3 * (f.maxMembers() + 1), out);
                }
                case "presence": {
                    final Options o = Options.parse(rest, with(PresenceScenario.OPTIONS));
                    final PresenceScenario p = new PresenceScenario(o);
                    return execute(p, o, 2 * (o.integer("devices", 200, 1, 100_000) + o.integer("watchers", 5, 1, 10_000)),
                            out);
                }
                case "coap": {
                    final Options o = Options.parse(rest, with(CoapScenario.OPTIONS));
                    final CoapScenario c = new CoapScenario(o);
                    return execute(c, o, c.devices(), out);
                }
                case "history": {
                    final Options o = Options.parse(rest, HistoryBench.OPTIONS);
                    final HistoryBench h = new HistoryBench(o);
                    h.run(out);
                    return new Outcome(0, null, null);
                }
                default:
                    err.println("error: unknown scenario '" + args[0] + "'");
                    err.println(USAGE);
                    return new Outcome(2, null, null);
            }
        } catch (final IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return new Outcome(2, null, null);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return new Outcome(1, null, null);
        } catch (final IOException | RuntimeException e) {
            err.println("error: " + e);
            return new Outcome(1, null, null);
        }
    }

    private static Outcome execute(final Scenario scenario, final Options o, final int devices, final PrintStream out)
            throws IOException {
        final Report report = new BenchRun(scenario, o, devices).run();
        report.print(out);
        final Path json = report.write(Path.of(o.string("results", Path.of("bench", "src").toFile().isDirectory()
                ? "bench/target/results" : "target/results")));
        out.println("JSON: " + json);
        return new Outcome(0, report, json);
    }

    private static Set<String> with(final Set<String> scenarioOptions) {
        final Set<String> all = new HashSet<>(BenchRun.COMMON_OPTIONS);
        all.addAll(scenarioOptions);
        return all;
    }
}
