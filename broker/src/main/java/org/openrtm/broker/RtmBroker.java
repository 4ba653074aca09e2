package org.openrtm.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.broker.http.HttpApi;
import org.openrtm.broker.http.HttpLimits;
import org.openrtm.extension.RtmExtensionMain;
import org.openrtm.extension.RtmRuntime;
import org.openrtm.extension.auth.Secrets;
import org.openrtm.extension.store.FolderLock;
import org.openrtm.gateway.CoapGateway;
import org.openrtm.gateway.config.GatewayConfig;
import org.openrtm.gateway.config.GatewayConfigException;
import org.openrtm.protocol.Role;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HiveMQ Community Edition with the OpenRTM extension, in this process.
 *
 * <p>Data layout under the data folder: {@code secret} (the token secret, unless {@code RTM_SECRET} is set),
 * {@code store/} (the extension's MapDB files and journal), {@code hivemq/} (HiveMQ's own data) and
 * {@code hivemq-conf/config.xml} (written from the options on every start).
 *
 * <pre>{@code
 * try (RtmBroker broker = RtmBroker.builder().dataDir(dir).mqttPort(0).build().start()) {
 *     String token = broker.mintToken("alice", Role.USER, Duration.ofHours(1));
 * }
 * }</pre>
 *
 * Start and stop are not thread-safe with each other; the accessors are.
 */
public final class RtmBroker implements AutoCloseable {

    /** The extension id, as in the deployable zip. */
    public static final String EXTENSION_ID = "openrtm-extension";
    /** The id under which an extension given to {@link Builder#otherExtension} runs. */
    public static final String OTHER_EXTENSION_ID = "embedded-extension";

    private final Builder options;
    private final int mqttPort;
    private final int wsPort;
    private final int httpPort;
    private final int tlsPort;
    private final int wssPort;
    private final RtmExtensionMain extension;
    private final ExtensionMain otherExtension;
    private EmbeddedHiveMQ hivemq;
    private HttpApi http;
    private CoapGateway coap;
    private FolderLock dataLock;

    private RtmBroker(final Builder b) {
        this.options = b;
        this.mqttPort = b.mqttPort == 0 ? freePort() : b.mqttPort;
        this.wsPort = b.wsPort == 0 ? freePort() : b.wsPort;
        this.httpPort = b.httpPort == 0 ? freePort() : b.httpPort;
        this.tlsPort = b.tlsPort == 0 ? freePort() : b.tlsPort;
        this.wssPort = b.wssPort == 0 ? freePort() : b.wssPort;
        if ((tlsPort >= 0 || wssPort >= 0) && b.tls == null) {
            throw new IllegalArgumentException("a TLS port (" + (tlsPort >= 0 ? "tls " + tlsPort : "wss " + wssPort)
                    + ") needs the TLS key store (Builder.tls), but none was given");
        }
        this.extension = b.withExtension
                ? new RtmExtensionMain(b.configFile, b.settings, b.dataDir, b.env)
                : null;
        this.otherExtension = b.withExtension ? null : b.otherExtension;
    }

    /** A builder with the defaults of {@code java -jar rtm-broker.jar}. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /**
     * Starts HiveMQ and the extension.
     *
     * @return this
     * @throws IOException if the configuration cannot be written or the broker does not start (for example when
     *                     the extension refuses its configuration, or a port is taken)
     */
    public @NotNull RtmBroker start() throws IOException {
        if (dataLock == null) {
            // before anything in the folder is read or written: a second broker on the same folder stops here, with
            // the first one's pid, instead of replacing files the first one is using
            dataLock = FolderLock.acquire(options.dataDir, "data folder");
        }
        final Path conf = options.dataDir.resolve("hivemq-conf");
        if (options.tls != null) {
            checkReadable(options.tls.keyStore(), "TLS key store");
            if (options.tls.trustStore() != null) {
                checkReadable(options.tls.trustStore(), "TLS trust store");
            }
        }
        HiveMqConfig.write(conf, options.host, mqttPort, wsPort, tlsPort, wssPort, options.tls,
                options.inMemoryPersistence);
        final Path extensions = options.extensionsDir != null ? options.extensionsDir
                : options.dataDir.resolve("hivemq-extensions");
        Files.createDirectories(extensions);
        final var builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(options.dataDir.resolve("hivemq"))
                .withExtensionsFolder(extensions);
        if (!options.loggingBootstrap) {
            builder.withoutLoggingBootstrap();
        }
        if (extension != null) {
            builder.withEmbeddedExtension(EmbeddedExtension.builder()
                    .withId(EXTENSION_ID)
                    .withName("OpenRTM Extension")
                    .withVersion(Version.get())
                    .withPriority(1000)
                    .withStartPriority(1000)
                    .withExtensionMain(extension)
                    .build());
        } else if (otherExtension != null) {
            builder.withEmbeddedExtension(EmbeddedExtension.builder()
                    .withId(OTHER_EXTENSION_ID)
                    .withName("Embedded extension")
                    .withVersion(Version.get())
                    .withPriority(1000)
                    .withStartPriority(1000)
                    .withExtensionMain(otherExtension)
                    .build());
        }
        hivemq = builder.build();
        try {
            hivemq.start().get(60, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the broker", e);
        } catch (final ExecutionException | TimeoutException e) {
            stopQuietly();
            throw new IOException("the broker did not start: " + rootMessage(e), e);
        }
        if (extension != null && extension.runtime() == null) {
            stopQuietly();
            final String why = extension.startupError();
            throw new IOException("the OpenRTM extension did not start: "
                    + (why != null ? why : "see the log above for the reason"));
        }
        if (extension != null && httpPort >= 0) {
            try {
                http = new HttpApi(extension::runtime, hivemq.getMetricRegistry(), options.host, httpPort, wsPort,
                        HttpLimits.of(extension.runtime().config())).start();
            } catch (final IOException e) {
                stopQuietly();
                throw new IOException("the HTTP listener on " + options.host + ":" + httpPort + " did not start: "
                        + e.getMessage(), e);
            }
        }
        if (options.withCoap && extension != null && (options.coapPort >= 0 || options.coapsPort >= 0)) {
            try {
                coap = startCoap();
            } catch (final IOException | RuntimeException e) {
                stopQuietly();
                throw new IOException("the CoAP gateway did not start: " + e.getMessage(), e);
            }
        }
        return this;
    }

    /** Starts the CoAP gateway against this broker's MQTT listener, with device PSKs derived from the secret. */
    private CoapGateway startCoap() throws IOException {
        final Map<String, String> settings = new HashMap<>(options.coapSettings);
        final String mqttHost = options.host.equals("0.0.0.0") || options.host.equals("::") ? "127.0.0.1" : options.host;
        settings.putIfAbsent("mqtt.server", "tcp://" + (mqttHost.contains(":") ? "[" + mqttHost + "]" : mqttHost) + ":"
                + mqttPort);
        settings.putIfAbsent("coap.bind-address", options.host);
        settings.put("coap.port", Integer.toString(options.coapPort));
        settings.put("coaps.port", Integer.toString(options.coapsPort));
        final GatewayConfig config;
        try {
            config = GatewayConfig.of(settings);
        } catch (final GatewayConfigException e) {
            throw new IOException("invalid gateway configuration: " + String.join("; ", e.errors()), e);
        }
        return CoapGateway.builder().config(config).secret(Secrets.load(options.env, options.dataDir)).build().start();
    }

    /** Stops the broker; the extension checkpoints its store; the data folder is released. Idempotent. */
    public void stop() {
        try {
            stopServers();
        } finally {
            if (dataLock != null) {
                dataLock.close();
                dataLock = null;
            }
        }
    }

    private void stopServers() {
        if (http != null) {
            http.close();
            http = null;
        }
        if (coap != null) {
            coap.stop();
            coap = null;
        }
        if (hivemq == null) {
            return;
        }
        try {
            hivemq.stop().get(60, TimeUnit.SECONDS);
            hivemq.close();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final ExecutionException | TimeoutException e) {
            // stopping is best effort; the store's journal covers anything not checkpointed
        } finally {
            hivemq = null;
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (final RuntimeException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The MQTT TCP port (the one chosen, if the builder asked for 0). */
    public int mqttPort() {
        return mqttPort;
    }

    private static void checkReadable(final Path file, final String what) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException(what + " " + file.toAbsolutePath() + " does not exist or cannot be read");
        }
    }

    /** The MQTT-over-TLS port, or -1 if disabled. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The secure WebSocket port (path {@code /mqtt}), or -1 if disabled. */
    public int wssPort() {
        return wssPort;
    }

    /** The MQTT-over-WebSocket port, or -1 if disabled. */
    public int wsPort() {
        return wsPort;
    }

    /** The HTTP port (REST API, web pages, metrics), or -1 if disabled. */
    public int httpPort() {
        return http != null ? http.port() : httpPort;
    }

    /** The HTTP side, while running with it. */
    public @Nullable HttpApi http() {
        return http;
    }

    /** The UDP port of the CoAP gateway, or -1 when CoAP is off (or the broker is not running). */
    public int coapPort() {
        final CoapGateway g = coap;
        return g == null ? -1 : g.coapPort();
    }

    /** The UDP port of CoAP over DTLS, or -1 when it is off (or the broker is not running). */
    public int coapsPort() {
        final CoapGateway g = coap;
        return g == null ? -1 : g.coapsPort();
    }

    /** The running CoAP gateway, or {@code null} when it is off or the broker is not running. */
    public @Nullable CoapGateway coapGateway() {
        return coap;
    }

    /** The address the listeners bind to. */
    public @NotNull String host() {
        return options.host;
    }

    /** The data folder. */
    public @NotNull Path dataDir() {
        return options.dataDir;
    }

    /** The running extension, or {@code null} when built without it or not started. */
    public @Nullable RtmRuntime runtime() {
        return extension == null ? null : extension.runtime();
    }

    /** Mints a token with the deployment's secret. */
    public @NotNull String mintToken(final @NotNull String uid, final @NotNull Role role, final @NotNull Duration ttl) {
        final RtmRuntime r = runtime();
        if (r == null) {
            throw new IllegalStateException("the broker is not running with the extension");
        }
        return r.tokens().mint(uid, role, ttl);
    }

    /** A token for a user, valid for an hour. */
    public @NotNull String token(final @NotNull String uid) {
        return mintToken(uid, Role.USER, Duration.ofHours(1));
    }

    /**
     * A port nobody listens on now. Chosen at random below Linux's ephemeral range (32768+), where outgoing client
     * sockets never land, so that two processes picking ports at the same time rarely collide; a collision makes
     * HiveMQ fail to bind, which {@link #start()} reports. Tests that start a broker process use it too: a port from
     * the ephemeral range can be taken by a client's outgoing connection (or a client connecting to itself) while a
     * broker that is being restarted does not listen on it.
     */
    public static int freePort() {
        final java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            final int port = 20_000 + random.nextInt(12_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (final IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port found between 20000 and 32000");
    }

    private static String rootMessage(final Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.toString();
    }

    /** Options of a broker. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int mqttPort = 1883;
        private int wsPort = 8000;
        private int httpPort = 8080;
        private int tlsPort = -1;
        private int wssPort = -1;
        private TlsConfig tls;
        private Path dataDir = Path.of("rtm-data");
        private Path configFile;
        private Path extensionsDir;
        private final Map<String, String> settings = new HashMap<>();
        private Map<String, String> env = System.getenv();
        private boolean withExtension = true;
        private ExtensionMain otherExtension;
        private boolean inMemoryPersistence = true;
        private boolean loggingBootstrap;
        private boolean withCoap = true;
        private int coapPort = 5683;
        private int coapsPort = 5684;
        private final Map<String, String> coapSettings = new HashMap<>();

        private Builder() {
        }

        /** The CoAP gateway's UDP port (default 5683; 0 picks a free one; -1 turns plain CoAP off). */
        public @NotNull Builder coapPort(final int port) {
            this.coapPort = port == -1 ? -1 : checkPort(port, "coap port");
            return this;
        }

        /** The CoAP-over-DTLS port (default 5684; 0 picks a free one; -1 turns CoAPS off). */
        public @NotNull Builder coapsPort(final int port) {
            this.coapsPort = port == -1 ? -1 : checkPort(port, "coaps port");
            return this;
        }

        /** Runs the broker without the CoAP gateway. */
        public @NotNull Builder withoutCoap() {
            this.withCoap = false;
            return this;
        }

        /** One CoAP gateway setting (see gateway-coap/README.md), validated when the broker starts. */
        public @NotNull Builder coapSetting(final @NotNull String key, final @NotNull String value) {
            coapSettings.put(key, value);
            return this;
        }

        /** The address to bind (default 127.0.0.1). */
        public @NotNull Builder host(final @NotNull String host) {
            this.host = host;
            return this;
        }

        /** The MQTT port (default 1883; 0 picks a free one). */
        public @NotNull Builder mqttPort(final int port) {
            this.mqttPort = checkPort(port, "mqtt port");
            return this;
        }

        /** The WebSocket port (default 8000; 0 picks a free one; -1 disables). */
        public @NotNull Builder wsPort(final int port) {
            this.wsPort = port == -1 ? -1 : checkPort(port, "websocket port");
            return this;
        }

        /** The HTTP port for the REST API, web pages and metrics (default 8080; 0 picks a free one; -1 disables). */
        public @NotNull Builder httpPort(final int port) {
            this.httpPort = port == -1 ? -1 : checkPort(port, "http port");
            return this;
        }

        /** The MQTT-over-TLS port (default -1: off; 0 picks a free one); needs {@link #tls(TlsConfig)}. */
        public @NotNull Builder tlsPort(final int port) {
            this.tlsPort = port == -1 ? -1 : checkPort(port, "tls port");
            return this;
        }

        /** The secure WebSocket port, path {@code /mqtt} (default -1: off; 0 picks a free one); needs {@link #tls}. */
        public @NotNull Builder wssPort(final int port) {
            this.wssPort = port == -1 ? -1 : checkPort(port, "wss port");
            return this;
        }

        /** The key material of the TLS listeners (default: none). */
        public @NotNull Builder tls(final @Nullable TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /** The data folder (default ./rtm-data). */
        public @NotNull Builder dataDir(final @NotNull Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** The extension's configuration file (default: none, the defaults). */
        public @NotNull Builder configFile(final @Nullable Path file) {
            this.configFile = file;
            return this;
        }

        /** One extension setting, overriding the file (validated like the file). */
        public @NotNull Builder setting(final @NotNull String key, final @NotNull String value) {
            settings.put(key, value);
            return this;
        }

        /** The environment the secret is looked up in (default: this process's). */
        public @NotNull Builder env(final @NotNull Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** Runs plain HiveMQ without the extension (for side-by-side benchmarks and loader tests). */
        public @NotNull Builder withoutExtension() {
            this.withExtension = false;
            return this;
        }

        /**
         * Runs this embedded extension in place of OpenRTM's, when {@link #withoutExtension()} is set (ignored
         * otherwise): for benchmarks that measure what some extension, not OpenRTM, costs HiveMQ.
         *
         * @param main the extension, or {@code null} for none (the default)
         */
        public @NotNull Builder otherExtension(final @Nullable ExtensionMain main) {
            this.otherExtension = main;
            return this;
        }

        /** HiveMQ's extensions folder (default: an empty one in the data folder). */
        public @NotNull Builder extensionsDir(final @Nullable Path dir) {
            this.extensionsDir = dir;
            return this;
        }

        /** Whether HiveMQ keeps its sessions in memory (default) or in files under the data folder. */
        public @NotNull Builder inMemoryPersistence(final boolean inMemory) {
            this.inMemoryPersistence = inMemory;
            return this;
        }

        /** Let HiveMQ configure logging itself (default: the application's logback configuration applies). */
        public @NotNull Builder hivemqLogging(final boolean enabled) {
            this.loggingBootstrap = enabled;
            return this;
        }

        public @NotNull RtmBroker build() {
            return new RtmBroker(this);
        }

        private static int checkPort(final int port, final String what) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " must be between 0 and 65535, but was " + port);
            }
            return port;
        }
    }
}
