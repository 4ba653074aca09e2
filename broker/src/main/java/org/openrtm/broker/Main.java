package org.openrtm.broker;

import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.auth.Secrets;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.extension.config.Setting;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of {@code rtm-broker.jar}: run the broker (default), or mint a token.
 *
 * <pre>
 * java -jar rtm-broker.jar [--host ADDR] [--mqtt-port N] [--ws-port N|off] [--http-port N|off] [--data DIR] [--config FILE]
 *                          [--coap-port N|off] [--coaps-port N|off] [--no-coap]
 * java -jar rtm-broker.jar token UID [--role user|service|admin] [--ttl 24h] [--data DIR]
 * </pre>
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "Usage:",
            "  java -jar rtm-broker.jar [--host ADDR] [--mqtt-port N] [--ws-port N|off] [--http-port N|off] [--data DIR]",
            "                          [--config FILE]",
            "      runs HiveMQ with the OpenRTM extension (defaults: 127.0.0.1, 1883, 8000, 8080, ./rtm-data, built-in settings)",
            "      [--coap-port N|off] [--coaps-port N|off] [--no-coap]: the CoAP gateway (defaults: UDP 5683 and 5684)",
            "  java -jar rtm-broker.jar token UID [--role user|service|admin] [--ttl 24h] [--data DIR]",
            "      prints a token for UID, signed with the deployment's secret ($RTM_SECRET, else DIR/secret)",
            "  java -jar rtm-broker.jar --help");

    private Main() {
    }

    public static void main(final String[] args) {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        final int code = run(args, out, err, System.getenv());
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code (the broker command returns only after SIGINT/SIGTERM). */
    static int run(final String[] args, final PrintStream out, final PrintStream err, final Map<String, String> env) {
        try {
            if (args.length > 0 && args[0].equals("token")) {
                return token(new ArrayDeque<>(Arrays.asList(args).subList(1, args.length)), out, env);
            }
            if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
                out.println(USAGE);
                return 0;
            }
            return broker(new ArrayDeque<>(Arrays.asList(args)), env);
        } catch (final UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (final IOException | RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int token(final Deque<String> args, final PrintStream out, final Map<String, String> env)
            throws UsageException, IOException {
        final String uid = args.poll();
        if (uid == null || uid.startsWith("--")) {
            throw new UsageException("token needs a UID");
        }
        final String uidError = Ids.uidError(uid);
        if (uidError != null) {
            throw new UsageException(uidError);
        }
        Role role = Role.USER;
        Duration ttl = Duration.ofHours(24);
        Path data = Path.of("rtm-data");
        while (!args.isEmpty()) {
            final String opt = args.poll();
            switch (opt) {
                case "--role":
                    final String r = value(args, opt);
                    role = Role.fromWire(r);
                    if (role == null) {
                        throw new UsageException("--role must be user, service or admin, but was '" + r + "'");
                    }
                    break;
                case "--ttl":
                    final String t = value(args, opt);
                    ttl = Setting.parseDuration(t);
                    if (ttl == null || ttl.isZero()) {
                        throw new UsageException("--ttl must be a positive duration such as 30m, 24h or 7d, but was '"
                                + t + "'");
                    }
                    break;
                case "--data":
                    data = Path.of(value(args, opt));
                    break;
                default:
                    throw new UsageException("unknown option '" + opt + "' for token");
            }
        }
        final Tokens tokens = new Tokens(Secrets.load(env, data), Clock.systemUTC(), Duration.ZERO);
        out.println(tokens.mint(uid, role, ttl));
        return 0;
    }

    private static int broker(final Deque<String> args, final Map<String, String> env) throws UsageException, IOException {
        final RtmBroker.Builder b = RtmBroker.builder().env(env);
        Path data = Path.of("rtm-data");
        while (!args.isEmpty()) {
            final String opt = args.poll();
            switch (opt) {
                case "--host":
                    b.host(value(args, opt));
                    break;
                case "--mqtt-port":
                    b.mqttPort(port(args, opt));
                    break;
                case "--ws-port":
                    final String ws = value(args, opt);
                    b.wsPort(ws.equals("off") ? -1 : parsePort(ws, opt));
                    break;
                case "--http-port":
                    final String http = value(args, opt);
                    b.httpPort(http.equals("off") ? -1 : parsePort(http, opt));
                    break;
                case "--data":
                    data = Path.of(value(args, opt));
                    b.dataDir(data);
                    break;
                case "--coap-port":
                    b.coapPort(udpPort(value(args, opt), opt));
                    break;
                case "--coaps-port":
                    b.coapsPort(udpPort(value(args, opt), opt));
                    break;
                case "--no-coap":
                    b.withoutCoap();
                    break;
                case "--config":
                    final Path config = Path.of(value(args, opt));
                    if (!Files.isRegularFile(config)) {
                        throw new UsageException("--config file " + config + " does not exist");
                    }
                    b.configFile(config);
                    break;
                default:
                    throw new UsageException("unknown option '" + opt + "'");
            }
        }
        final Logger log = LoggerFactory.getLogger("org.openrtm.broker");
        final RtmBroker broker = b.build();
        broker.start();
        log.info("MQTT listener on tcp://{}:{}", broker.host(), broker.mqttPort());
        if (broker.wsPort() >= 0) {
            log.info("MQTT over WebSocket listener on ws://{}:{}/mqtt", broker.host(), broker.wsPort());
        }
        if (broker.httpPort() >= 0) {
            log.info("HTTP listener on http://{}:{} (web client /, console /console, REST /api/v1, /metrics)",
                    broker.host(), broker.httpPort());
        }
        if (broker.coapPort() >= 0 || broker.coapsPort() >= 0) {
            log.info("CoAP gateway on coap://{}:{} and coaps://{}:{}", broker.host(), broker.coapPort(), broker.host(),
                    broker.coapsPort());
        }
        log.info("Data in {}; mint a token with: java -jar broker/target/rtm-broker.jar token <uid> --data {}",
                data.toAbsolutePath(), data);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping");
            broker.stop();
            stopped.countDown();
        }, "rtm-shutdown"));
        try {
            stopped.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String value(final Deque<String> args, final String opt) throws UsageException {
        final String v = args.poll();
        if (v == null) {
            throw new UsageException(opt + " needs a value");
        }
        return v;
    }

    private static int udpPort(final String v, final String opt) throws UsageException {
        if (v.equals("off")) {
            return -1;
        }
        if (v.equals("0")) {
            return 0;
        }
        return parsePort(v, opt);
    }

    private static int port(final Deque<String> args, final String opt) throws UsageException {
        return parsePort(value(args, opt), opt);
    }

    private static int parsePort(final String v, final String opt) throws UsageException {
        try {
            final int p = Integer.parseInt(v);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (final NumberFormatException e) {
            throw new UsageException(opt + " must be a port between 1 and 65535, but was '" + v + "'");
        }
    }

    /** A command-line mistake: printed with the usage, exit code 2. */
    static final class UsageException extends Exception {
        UsageException(final @NotNull String message) {
            super(message);
        }
    }
}
