package org.openrtm.broker.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openrtm.broker.RtmBroker;
import org.openrtm.broker.TlsConfig;
import org.openrtm.protocol.Role;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A JUnit 5 extension that runs one {@link RtmBroker} for a whole test class, on 127.0.0.1 and free ports, with a
 * temporary data folder and a fixed test secret. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("offline.max-messages", "3"));
 * }</pre>
 *
 * {@link #restart()} stops and starts the broker on the same ports and data folder.
 */
public final class EmbeddedBroker implements BeforeAllCallback, AfterAllCallback {

    /** The secret every test broker signs tokens with (at least 32 bytes). */
    public static final String SECRET = "test-secret-0123456789-0123456789-abcdef";

    private final Map<String, String> settings;
    private final boolean withExtension;
    private final Map<String, String> coapSettings;
    private Supplier<TlsConfig> tls;
    private int tlsPort;
    private int wssPort;
    private int coapPort = -1;
    private int coapsPort = -1;
    private Path dataDir;
    private RtmBroker broker;
    private int mqttPort;
    private int wsPort;
    private int httpPort;

    private EmbeddedBroker(final Map<String, String> settings, final boolean withExtension) {
        this(settings, withExtension, null);
    }

    private EmbeddedBroker(final Map<String, String> settings, final boolean withExtension,
                           final Map<String, String> coapSettings) {
        this.settings = new HashMap<>(settings);
        this.withExtension = withExtension;
        this.coapSettings = coapSettings == null ? null : new HashMap<>(coapSettings);
    }

    /**
     * A broker with the CoAP gateway on free UDP ports (CoAP and CoAPS), with some extension and gateway settings
     * changed. Other test brokers run without the gateway.
     */
    public static EmbeddedBroker withCoap(final Map<String, String> settings, final Map<String, String> coapSettings) {
        return new EmbeddedBroker(settings, true, coapSettings);
    }

    /** A broker with the default settings. */
    public static EmbeddedBroker create() {
        return new EmbeddedBroker(Map.of(), true);
    }

    /** A broker with some extension settings changed. */
    public static EmbeddedBroker withSettings(final Map<String, String> settings) {
        return new EmbeddedBroker(settings, true);
    }

    /**
     * A broker that also listens for MQTT over TLS and secure WebSocket on free ports, with the key material the
     * supplier gives when the broker starts (so that a test class can create its key store first).
     */
    public static EmbeddedBroker withTls(final Supplier<TlsConfig> tls) {
        final EmbeddedBroker b = new EmbeddedBroker(Map.of(), true);
        b.tls = tls;
        return b;
    }

    /** Plain HiveMQ, without the extension. */
    public static EmbeddedBroker plainHiveMq() {
        return new EmbeddedBroker(Map.of(), false);
    }

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("rtm-it-");
        // free ports are picked before HiveMQ binds them; on a busy machine another process may win the race
        for (int attempt = 1; ; attempt++) {
            try {
                start();
                return;
            } catch (final IOException e) {
                if (attempt == 3) {
                    throw e;
                }
                mqttPort = 0;
                wsPort = 0;
                httpPort = 0;
                tlsPort = 0;
                wssPort = 0;
            }
        }
    }

    private void start() throws IOException {
        final RtmBroker.Builder b = RtmBroker.builder()
                .host("127.0.0.1")
                .mqttPort(mqttPort)
                .wsPort(wsPort == 0 ? 0 : wsPort)
                .httpPort(withExtension ? httpPort : -1)
                .dataDir(dataDir)
                .env(Map.of("RTM_SECRET", SECRET));
        settings.forEach(b::setting);
        if (tls != null) {
            b.tls(tls.get()).tlsPort(tlsPort).wssPort(wssPort);
        }
        if (coapSettings == null) {
            b.withoutCoap();
        } else {
            b.coapPort(coapPort < 0 ? 0 : coapPort).coapsPort(coapsPort < 0 ? 0 : coapsPort);
            coapSettings.forEach(b::coapSetting);
        }
        if (!withExtension) {
            b.withoutExtension();
        }
        broker = b.build().start();
        mqttPort = broker.mqttPort();
        wsPort = broker.wsPort();
        httpPort = broker.httpPort();
        tlsPort = broker.tlsPort();
        wssPort = broker.wssPort();
        coapPort = broker.coapPort();
        coapsPort = broker.coapsPort();
    }

    @Override
    public void afterAll(final ExtensionContext context) throws Exception {
        if (broker != null) {
            broker.stop();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Stops the broker cleanly and starts it again with the same ports and data. */
    public void restart() {
        broker.stop();
        try {
            start();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker (a following {@link #restart()} starts it). */
    public void stop() {
        broker.stop();
    }

    public RtmBroker broker() {
        return broker;
    }

    public int port() {
        return mqttPort;
    }

    public int wsPort() {
        return wsPort;
    }

    /** The MQTT-over-TLS port, or -1 without TLS. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The secure WebSocket port, or -1 without TLS. */
    public int wssPort() {
        return wssPort;
    }

    /** The HTTP port (REST API, web pages, metrics). */
    public int httpPort() {
        return httpPort;
    }

    /** The CoAP gateway's UDP port, or -1 without the gateway. */
    public int coapPort() {
        return coapPort;
    }

    /** The CoAP-over-DTLS port, or -1 without the gateway. */
    public int coapsPort() {
        return coapsPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A user token valid for an hour. */
    public String token(final String uid) {
        return broker.token(uid);
    }

    /** A token with a role. */
    public String token(final String uid, final Role role) {
        return broker.mintToken(uid, role, Duration.ofHours(1));
    }
}
