package org.openrtm.bench;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.bench.report.Report;
import org.openrtm.bench.scenario.CoapScenario;
import org.openrtm.bench.scenario.FleetScenario;
import org.openrtm.bench.scenario.OfflineScenario;
import org.openrtm.bench.scenario.PeerScenario;
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
 * java -jar bench/target/rtm-bench.jar peer|fleet|offline|coap [options]
 * java -jar bench/target/rtm-bench.jar fanout|presence       (need issue 3: say so and exit 3)
 * </pre>
 *
 * Prints a table of medians and ratios on stdout, progress on stderr, and writes JSON into the results folder.
 * See {@code bench/README.md} for every option.
 */
public final class BenchMain {

    /** Exit code of a scenario whose server features do not exist yet. */
    public static final int NOT_AVAILABLE = 3;

    static final String USAGE = String.join("\n",
            "Usage: java -jar bench/target/rtm-bench.jar SCENARIO [options]",
            "",
            "Scenarios (numbers as in issue 7):",
            "  peer      1. peer messages QoS 1: latency at fixed rates, maximum sustained rate",
            "  fanout    2. channel fan-out              (not yet: needs channels, issue 3)",
            "  fleet     3. many connected devices: connect rate, heap per connection, probe latency",
            "  presence  4. presence churn               (not yet: needs presence, issue 3)",
            "  offline   5. offline cache: fill, reconnect storm, drain rate",
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
            "          --search-step 5s --max-p99 250ms --drain-timeout 15s",
            "fleet:    --devices 2000 --connect-concurrency 200 --subscriptions inbox[,event] --probe-rate 100",
            "          --probe-duration 10s --probe-warmup 3s --payload 100 --connect-timeout 10m",
            "offline:  --pairs 100 --messages 100 --payload 100 --receipts on --drain-timeout 60s",
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
     * @param code   the exit code: 0 done, 1 failed, 2 usage error, 3 scenario not available yet
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
                case "coap": {
                    final Options o = Options.parse(rest, with(CoapScenario.OPTIONS));
                    final CoapScenario c = new CoapScenario(o);
                    return execute(c, o, c.devices(), out);
                }
                case "fanout":
                    err.println("scenario 2 (channel fan-out to 100, 1,000 and 10,000 members, with rtm-only/rtm-except "
                            + "lists of 128) needs channels, which the server does not have yet (issue 3)");
                    return new Outcome(NOT_AVAILABLE, null, null);
                case "presence":
                    err.println("scenario 4 (presence churn: time until a presence subscriber sees a change) needs "
                            + "presence, which the server does not have yet (issue 3)");
                    return new Outcome(NOT_AVAILABLE, null, null);
                default:
                    err.println("error: unknown scenario '" + args[0] + "'");
                    err.println(USAGE);
                    return new Outcome(2, null, null);
            }
        } catch (final IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return new Outcome(2, null, null);
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
