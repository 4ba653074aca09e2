package org.openrtm.examples;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.broker.RtmBroker;
import org.openrtm.examples.smartplug.CoapAccess;
import org.openrtm.protocol.Role;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmClientBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A sandbox on an {@link RtmBroker} started in this process: 127.0.0.1, a free MQTT port, the CoAP gateway on a free
 * UDP port (no CoAPS), no WebSocket or HTTP listener (other ports with {@link Ports}), a temporary data folder and a
 * random secret; tokens are minted in-process. {@link #close()} stops the
 * broker and deletes the folder. Not thread-safe to start and close; {@link #client(String)} is.
 */
public final class EmbeddedSandbox implements Sandbox, CoapAccess, AutoCloseable {

    /**
     * The server settings the examples run with: the server's defaults, but a car that is offline makes an unlock
     * request fail after 3 s instead of 30 s ({@code call.offline-timeout}), so that the example does not keep you
     * waiting. The example tests use the same settings.
     */
    public static final Map<String, String> SETTINGS = Map.of("call.offline-timeout", "3s");

    private final RtmBroker broker;
    private final Path dataDir;
    private final PrintStream out;

    private EmbeddedSandbox(final RtmBroker broker, final Path dataDir, final PrintStream out) {
        this.broker = broker;
        this.dataDir = dataDir;
        this.out = out;
    }

    /**
     * Starts a broker.
     *
     * @param out where the examples narrate
     * @return the running sandbox
     * @throws IOException if the broker does not start
     */
    public static @NotNull EmbeddedSandbox start(final @NotNull PrintStream out) throws IOException {
        return start(out, new Ports());
    }

    /**
     * Starts a broker on the given ports.
     *
     * @param out   where the examples narrate
     * @param ports the MQTT, CoAP and HTTP ports
     * @return the running sandbox
     * @throws IOException if the broker does not start (a port in use, say)
     */
    public static @NotNull EmbeddedSandbox start(final @NotNull PrintStream out, final @NotNull Ports ports)
            throws IOException {
        final Path dir = Files.createTempDirectory("rtm-examples-");
        final byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try {
            final RtmBroker.Builder b = RtmBroker.builder().host("127.0.0.1").mqttPort(ports.mqtt).wsPort(-1)
                    .httpPort(ports.http).coapPort(ports.coap).coapsPort(-1)
                    .dataDir(dir).env(Map.of("RTM_SECRET", Base64.getEncoder().encodeToString(secret)));
            SETTINGS.forEach(b::setting);
            final RtmBroker broker = b.build().start();
            return new EmbeddedSandbox(broker, dir, out);
        } catch (final IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    /** Where the broker listens, in one line. */
    public @NotNull String describe() {
        return "broker on 127.0.0.1: MQTT port " + broker.mqttPort() + ", CoAP port " + broker.coapPort()
                + (broker.httpPort() > 0 ? ", HTTP port " + broker.httpPort() + " (web client and console)" : ", no HTTP");
    }

    @Override
    public @NotNull RtmClientBuilder client(final @NotNull String uid) {
        return RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.mqttPort()).uid(uid)
                .token(broker.mintToken(uid, Role.USER, Duration.ofHours(1)));
    }

    @Override
    public @NotNull InetSocketAddress coapAddress() {
        return new InetSocketAddress("127.0.0.1", broker.coapPort());
    }

    @Override
    public @NotNull String token(final @NotNull String uid) {
        return broker.mintToken(uid, Role.USER, Duration.ofHours(1));
    }

    @Override
    public @NotNull PrintStream out() {
        return out;
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        broker.stop();
        delete(dataDir);
    }

    private static void delete(final Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    /** The ports of the launcher's options: MQTT and CoAP on free ports, HTTP off. Not thread-safe. */
    public static final class Ports {
        private int mqtt;
        private int coap;
        private int http = -1;

        /**
         * Sets one port from a command-line option.
         *
         * @param option {@code --mqtt-port}, {@code --coap-port} or {@code --http-port}
         * @param value  0 to 65535 (0: a free port), or {@code off} for HTTP
         * @return null, or what is wrong, naming the option, the rule and the value
         */
        public @Nullable String set(final @NotNull String option, final @NotNull String value) {
            final boolean isHttp = option.equals("--http-port");
            if (!isHttp && !option.equals("--mqtt-port") && !option.equals("--coap-port")) {
                return "unknown option " + option + " (the options are --mqtt-port, --coap-port and --http-port)";
            }
            final int port;
            if (isHttp && value.equals("off")) {
                port = -1;
            } else {
                try {
                    port = Integer.parseInt(value);
                } catch (final NumberFormatException e) {
                    return option + " must be a port number from 0 to 65535" + (isHttp ? " or off" : "") + ", but was '"
                            + value + "'";
                }
                if (port < 0 || port > 65535) {
                    return option + " must be a port number from 0 to 65535" + (isHttp ? " or off" : "") + ", but was "
                            + port;
                }
            }
            switch (option) {
                case "--mqtt-port":
                    mqtt = port;
                    break;
                case "--coap-port":
                    coap = port;
                    break;
                default:
                    this.http = port;
                    break;
            }
            return null;
        }
    }
}
