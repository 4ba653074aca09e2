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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of {@code rtm-broker.jar}: run the broker (default), or mint a token.
 *
 * <pre>
 * java -jar rtm-broker.jar [--host ADDR] [--mqtt-port N] [--ws-port N|off] [--http-port N|off] [--data DIR] [--config FILE]
 *                          [--log-level error|warn|info|debug|trace]
 *                          [--coap-port N|off] [--coaps-port N|off] [--no-coap]
 *                          [--tls-port N] [--wss-port N] [--tls-keystore FILE] [--tls-keystore-password-env VAR] ...
 * java -jar rtm-broker.jar token UID [--role user|service|admin] [--ttl 24h] [--data DIR]
 * </pre>
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "Usage:",
            "  java -jar rtm-broker.jar [--host ADDR] [--mqtt-port N] [--ws-port N|off] [--http-port N|off] [--data DIR]",
            "                          [--config FILE]",
            "      runs HiveMQ with the OpenRTM extension (defaults: 127.0.0.1, 1883, 8000, 8080, ./rtm-data, built-in settings)",
            "      [--log-level error|warn|info|debug|trace]: how much OpenRTM logs (default info; HiveMQ's log stays at warn)",
            "      [--coap-port N|off] [--coaps-port N|off] [--no-coap]: the CoAP gateway (defaults: UDP 5683 and 5684)",
            "      [--coap-nosec loopback|any]: who may use plain CoAP without DTLS (default: loopback addresses only)",
            "      [--tls-port N] [--wss-port N] --tls-keystore FILE [--tls-keystore-password-env VAR]",
            "      [--tls-key-password-env VAR] [--tls-truststore FILE [--tls-truststore-password-env VAR]]",
            "      [--tls-client-auth none|optional|required]: MQTT over TLS and secure WebSocket (off by default;",
            "      passwords are read from environment variables, by default $RTM_TLS_KEYSTORE_PASSWORD)",
            "      [--coaps-psk derived|file|off] [--coaps-psk-file FILE] [--coaps-keystore FILE]",
            "      [--coaps-keystore-password-env VAR] [--coaps-truststore FILE] [--coaps-truststore-password-env VAR]:",
            "      CoAPS (DTLS) keys: pre-shared keys and/or X.509 certificates (PKCS#12)",
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
                return token(new ArrayDeque<>(Arrays.asList(args).subList(1, args.length)), out, err, env);
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

    private static int token(final Deque<String> args, final PrintStream out, final PrintStream err,
                             final Map<String, String> env)
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
        final String fromEnv = env.get(Secrets.ENV);
        final boolean created = (fromEnv == null || fromEnv.isEmpty()) && !Files.exists(Secrets.file(data));
        final Tokens tokens = new Tokens(Secrets.load(env, data), Clock.systemUTC(), Duration.ZERO);
        if (created) {
            // run outside the broker's data folder, this mints with a secret no broker knows: say so, or every login
            // with the token fails as a bad password without a hint why
            err.println("warning: created a new secret in " + Secrets.file(data) + "; the token is valid only for a "
                    + "broker started with the same --data (" + data.toAbsolutePath().normalize() + ") or with "
                    + Secrets.ENV + " set to that secret");
        }
        out.println(tokens.mint(uid, role, ttl));
        return 0;
    }

    private static int broker(final Deque<String> args, final Map<String, String> env) throws UsageException, IOException {
        final RtmBroker.Builder b = RtmBroker.builder().env(env);
        Path data = Path.of("rtm-data");
        Path keyStore = null;
        Path trustStore = null;
        String keyStorePasswordEnv = "RTM_TLS_KEYSTORE_PASSWORD";
        String keyPasswordEnv = null;
        String trustStorePasswordEnv = "RTM_TLS_TRUSTSTORE_PASSWORD";
        TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;
        boolean tlsListener = false;
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
                case "--tls-port":
                    b.tlsPort(port(args, opt));
                    tlsListener = true;
                    break;
                case "--wss-port":
                    b.wssPort(port(args, opt));
                    tlsListener = true;
                    break;
                case "--tls-keystore":
                    keyStore = existingFile(value(args, opt), opt);
                    break;
                case "--tls-keystore-password-env":
                    keyStorePasswordEnv = value(args, opt);
                    break;
                case "--tls-key-password-env":
                    keyPasswordEnv = value(args, opt);
                    break;
                case "--tls-truststore":
                    trustStore = existingFile(value(args, opt), opt);
                    break;
                case "--tls-truststore-password-env":
                    trustStorePasswordEnv = value(args, opt);
                    break;
                case "--tls-client-auth":
                    try {
                        clientAuth = TlsConfig.ClientAuth.parse(value(args, opt));
                    } catch (final IllegalArgumentException e) {
                        throw new UsageException("--tls-client-auth: " + e.getMessage());
                    }
                    break;
                case "--coaps-psk":
                    b.coapSetting("coaps.psk", value(args, opt));
                    break;
                case "--coap-nosec":
                    b.coapSetting("coap.nosec", value(args, opt));
                    break;
                case "--coaps-psk-file":
                    b.coapSetting("coaps.psk-file", existingFile(value(args, opt), opt).toString());
                    break;
                case "--coaps-keystore":
                    b.coapSetting("coaps.key-store", existingFile(value(args, opt), opt).toString());
                    break;
                case "--coaps-keystore-password-env":
                    b.coapSetting("coaps.key-store-password", secretFromEnv(env, value(args, opt), opt));
                    break;
                case "--coaps-truststore":
                    b.coapSetting("coaps.trust-store", existingFile(value(args, opt), opt).toString());
                    break;
                case "--coaps-truststore-password-env":
                    b.coapSetting("coaps.trust-store-password", secretFromEnv(env, value(args, opt), opt));
                    break;
                case "--log-level":
                    logLevel(value(args, opt));
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
        if (tlsListener || keyStore != null) {
            if (keyStore == null) {
                throw new UsageException("--tls-port and --wss-port need --tls-keystore FILE");
            }
            if (!tlsListener) {
                throw new UsageException("--tls-keystore is given but no TLS listener: add --tls-port N and/or --wss-port N");
            }
            final String storePassword = secretFromEnv(env, keyStorePasswordEnv, "--tls-keystore-password-env");
            final String keyPassword = keyPasswordEnv == null ? storePassword
                    : secretFromEnv(env, keyPasswordEnv, "--tls-key-password-env");
            try {
                TlsConfig tls = new TlsConfig(keyStore, storePassword, keyPassword, null, null, TlsConfig.ClientAuth.NONE);
                if (trustStore != null) {
                    tls = tls.withTrustStore(trustStore, secretFromEnv(env, trustStorePasswordEnv,
                            "--tls-truststore-password-env"), clientAuth);
                } else if (clientAuth != TlsConfig.ClientAuth.NONE) {
                    throw new UsageException("--tls-client-auth " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                            + " needs --tls-truststore FILE");
                }
                b.tls(tls);
            } catch (final IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        final Logger log = LoggerFactory.getLogger("org.openrtm.broker");
        final RtmBroker broker = b.build();
        broker.start();
        log.info("MQTT listener on tcp://{}:{}", broker.host(), broker.mqttPort());
        if (broker.wsPort() >= 0) {
            log.info("MQTT over WebSocket listener on ws://{}:{}/mqtt", broker.host(), broker.wsPort());
        }
        if (broker.tlsPort() >= 0) {
            log.info("MQTT over TLS listener on ssl://{}:{}", broker.host(), broker.tlsPort());
        }
        if (broker.wssPort() >= 0) {
            log.info("MQTT over secure WebSocket listener on wss://{}:{}/mqtt", broker.host(), broker.wssPort());
        }
        if (broker.httpPort() >= 0) {
            log.info("HTTP listener on http://{}:{} (web client /, console /console, REST /api/v1, /metrics)",
                    broker.host(), broker.httpPort());
        }
        if (broker.coapPort() >= 0) {
            log.info("CoAP gateway on coap://{}:{}", broker.host(), broker.coapPort());
        }
        if (broker.coapsPort() >= 0) {
            log.info("CoAP gateway on coaps://{}:{}", broker.host(), broker.coapsPort());
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

    /** The level of OpenRTM's loggers ({@code org.openrtm.*}); the other libraries keep logback.xml's. */
    static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");

    /** Sets the level of {@code org.openrtm.*} for {@code --log-level}. */
    static void logLevel(final String level) throws UsageException {
        final String l = level.toLowerCase(java.util.Locale.ROOT);
        if (!LOG_LEVELS.contains(l)) {
            throw new UsageException("--log-level must be one of " + String.join(", ", LOG_LEVELS) + ", but was '" + level
                    + "'");
        }
        final Logger openrtm = LoggerFactory.getLogger("org.openrtm");
        if (openrtm instanceof ch.qos.logback.classic.Logger) {
            ((ch.qos.logback.classic.Logger) openrtm).setLevel(ch.qos.logback.classic.Level.toLevel(l));
        }
    }

    private static String value(final Deque<String> args, final String opt) throws UsageException {
        final String v = args.poll();
        if (v == null) {
            throw new UsageException(opt + " needs a value");
        }
        return v;
    }

    private static Path existingFile(final String v, final String opt) throws UsageException {
        final Path p = Path.of(v);
        if (!Files.isRegularFile(p)) {
            throw new UsageException(opt + " file " + p + " does not exist");
        }
        return p;
    }

    /** A password from the environment variable named by an option; never printed. */
    private static String secretFromEnv(final Map<String, String> env, final String var, final String opt)
            throws UsageException {
        final String v = env.get(var);
        if (v == null || v.isEmpty()) {
            throw new UsageException(opt + ": environment variable " + var + " is not set (it must hold the password)");
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
