package org.openrtm.gateway;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.gateway.config.GatewayConfig;
import org.openrtm.gateway.config.GatewayConfigException;
import org.openrtm.gateway.config.GatewaySettings;
import org.openrtm.protocol.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of the standalone gateway, {@code rtm-gateway.jar}: run the gateway against any HiveMQ with the
 * OpenRTM extension, or print a device's derived pre-shared key.
 *
 * <pre>
 * java -jar rtm-gateway.jar [--mqtt tcp://HOST:PORT] [--host ADDR] [--coap-port N|off] [--coaps-port N|off]
 *                           [--config FILE] [--secret-file FILE]
 * java -jar rtm-gateway.jar psk UID [--secret-file FILE]
 * </pre>
 */
public final class GatewayMain {

    static final String USAGE = String.join("\n",
            "Usage:",
            "  java -jar rtm-gateway.jar [--mqtt tcp://HOST:PORT] [--host ADDR] [--coap-port N|off] [--coaps-port N|off]",
            "                            [--config FILE] [--secret-file FILE]",
            "      runs the CoAP gateway (defaults: tcp://127.0.0.1:1883, 127.0.0.1, 5683, 5684, built-in settings)",
            "  java -jar rtm-gateway.jar psk UID [--secret-file FILE]",
            "      prints the CoAPS pre-shared key of UID (hex), derived from the deployment secret",
            "  The deployment secret is $RTM_SECRET, else the --secret-file (default rtm-data/secret).");

    private GatewayMain() {
    }

    /** Entry point. */
    public static void main(final String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "rtm-gateway-logback.xml");
        }
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        final int code = run(args, out, err, System.getenv());
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command and returns its exit code (the gateway command returns only after SIGINT/SIGTERM). */
    static int run(final String[] args, final PrintStream out, final PrintStream err, final Map<String, String> env) {
        try {
            final Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
            if (!rest.isEmpty() && (rest.peek().equals("--help") || rest.peek().equals("-h"))) {
                out.println(USAGE);
                return 0;
            }
            if (!rest.isEmpty() && rest.peek().equals("psk")) {
                rest.poll();
                return psk(rest, out, env);
            }
            return gateway(rest, env);
        } catch (final UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (final GatewayConfigException e) {
            err.println("error: invalid configuration: " + String.join("; ", e.errors()));
            return 1;
        } catch (final IOException | RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int psk(final Deque<String> args, final PrintStream out, final Map<String, String> env)
            throws UsageException, IOException {
        final String uid = args.poll();
        if (uid == null || uid.startsWith("--")) {
            throw new UsageException("psk needs a UID");
        }
        final String error = Ids.uidError(uid);
        if (error != null) {
            throw new UsageException(error);
        }
        Path secretFile = null;
        while (!args.isEmpty()) {
            final String opt = args.poll();
            if (opt.equals("--secret-file")) {
                secretFile = Path.of(value(args, opt));
            } else {
                throw new UsageException("unknown option '" + opt + "' for psk");
            }
        }
        final byte[] secret = secret(env, secretFile);
        if (secret == null) {
            throw new IOException("no deployment secret: set RTM_SECRET or pass --secret-file");
        }
        out.println(DevicePsk.deriveHex(secret, uid));
        return 0;
    }

    private static int gateway(final Deque<String> args, final Map<String, String> env)
            throws UsageException, IOException, GatewayConfigException {
        final Map<String, String> overrides = new HashMap<>();
        Path configFile = null;
        Path secretFile = null;
        while (!args.isEmpty()) {
            final String opt = args.poll();
            switch (opt) {
                case "--mqtt":
                    overrides.put(GatewaySettings.MQTT_SERVER.key(), value(args, opt));
                    break;
                case "--host":
                    overrides.put(GatewaySettings.BIND_ADDRESS.key(), value(args, opt));
                    break;
                case "--coap-port":
                    overrides.put(GatewaySettings.COAP_PORT.key(), port(value(args, opt)));
                    break;
                case "--coaps-port":
                    overrides.put(GatewaySettings.COAPS_PORT.key(), port(value(args, opt)));
                    break;
                case "--config":
                    configFile = Path.of(value(args, opt));
                    break;
                case "--secret-file":
                    secretFile = Path.of(value(args, opt));
                    break;
                default:
                    throw new UsageException("unknown option '" + opt + "'");
            }
        }
        final GatewayConfig config = configFile != null ? GatewayConfig.load(configFile, overrides)
                : GatewayConfig.of(overrides);
        if (config.get(GatewaySettings.COAP_PORT) < 0 && config.get(GatewaySettings.COAPS_PORT) < 0) {
            throw new UsageException("coap.port and coaps.port are both off: the gateway would listen on nothing");
        }
        final Logger log = LoggerFactory.getLogger("org.openrtm.gateway");
        final CoapGateway gateway = CoapGateway.builder().config(config).secret(secret(env, secretFile)).build().start();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping");
            gateway.stop();
            log.info("Stopped");
            stopped.countDown();
        }, "rtm-gateway-shutdown"));
        try {
            stopped.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The deployment secret: {@code RTM_SECRET}, else the file (given, or {@code rtm-data/secret} if it exists). */
    static byte @Nullable [] secret(final @NotNull Map<String, String> env, final @Nullable Path file) throws IOException {
        final String fromEnv = env.get("RTM_SECRET");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.getBytes(StandardCharsets.UTF_8);
        }
        final Path f = file != null ? file : Path.of("rtm-data", "secret");
        if (file == null && !Files.exists(f)) {
            return null;
        }
        return Files.readString(f, StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
    }

    private static String port(final String v) throws UsageException {
        if (v.equals("off")) {
            return "-1";
        }
        try {
            final int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return v;
        } catch (final NumberFormatException e) {
            throw new UsageException("a port must be between 0 and 65535 or 'off', but was '" + v + "'");
        }
    }

    private static String value(final Deque<String> args, final String opt) throws UsageException {
        final String v = args.poll();
        if (v == null) {
            throw new UsageException(opt + " needs a value");
        }
        return v;
    }

    /** A command-line mistake: printed with the usage, exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(final @NotNull String message) {
            super(message);
        }
    }
}
