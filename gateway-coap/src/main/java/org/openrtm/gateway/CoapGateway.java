package org.openrtm.gateway;

import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.core.network.InMemoryMessageExchangeStore;
import org.eclipse.californium.core.network.RandomTokenGenerator;
import org.eclipse.californium.core.network.TokenGenerator;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.gateway.config.GatewayConfig;
import org.openrtm.gateway.config.GatewaySettings;
import org.openrtm.gateway.internal.dtls.DevicePskStore;
import org.openrtm.gateway.internal.mqtt.MqttLink;
import org.openrtm.gateway.internal.resource.Core;
import org.openrtm.gateway.internal.resource.GatewayDeliverer;
import org.openrtm.gateway.internal.resource.RandomMessageIds;
import org.openrtm.gateway.internal.resource.SessionResource;
import org.openrtm.gateway.internal.resource.StrictUdpParser;
import org.openrtm.gateway.internal.session.LoginThrottle;
import org.openrtm.gateway.internal.session.SessionRegistry;
import org.openrtm.protocol.ViaProof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The CoAP gateway: CoAP (UDP) and CoAPS (DTLS 1.2) listeners whose devices are RTM users, each with its own MQTT 5
 * session on the broker. See {@code gateway-coap/README.md} for the resources, result codes and design.
 *
 * <pre>{@code
 * CoapGateway gateway = CoapGateway.builder()
 *         .config(GatewayConfig.of(Map.of("mqtt.server", "tcp://127.0.0.1:1883")))
 *         .secret(deploymentSecret)       // for derived device PSKs; optional otherwise
 *         .build()
 *         .start();
 * }</pre>
 *
 * {@link #start()} and {@link #stop()} are not thread-safe with each other; the accessors are.
 */
public final class CoapGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoapGateway.class);
    private static final int MAX_UDP_PAYLOAD = 65_535;

    private final GatewayConfig config;
    private final byte[] secret;
    private ScheduledExecutorService scheduler;
    private SessionRegistry registry;
    private CoapServer server;
    private Endpoint coapEndpoint;
    private Endpoint coapsEndpoint;

    private CoapGateway(final Builder b) {
        this.config = b.config;
        this.secret = b.secret == null ? null : b.secret.clone();
    }

    /** A builder with the default configuration. */
    public static @NotNull Builder builder() {
        return new Builder();
    }

    /**
     * Binds the listeners and starts serving.
     *
     * @return this
     * @throws IOException if a port cannot be bound, or the DTLS credentials cannot be read or are missing
     */
    public synchronized @NotNull CoapGateway start() throws IOException {
        if (server != null) {
            return this;
        }
        final Configuration cf = californium(config);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "rtm-coap-timer");
            t.setDaemon(true);
            return t;
        });
        registry = new SessionRegistry(scheduler, config.get(GatewaySettings.MAX_SESSIONS), 250);
        final MqttLink.Settings link = new MqttLink.Settings(config.mqttHost(), config.mqttPort(),
                config.get(GatewaySettings.MQTT_KEEP_ALIVE), config.get(GatewaySettings.MQTT_RECEIVE_MAXIMUM),
                config.get(GatewaySettings.MQTT_CONNECT_TIMEOUT), secret == null ? null : ViaProof.key(secret));
        final LoginThrottle logins = new LoginThrottle(config.get(GatewaySettings.LOGIN_RATE_PER_ADDRESS),
                config.get(GatewaySettings.LOGIN_BURST_PER_ADDRESS), config.get(GatewaySettings.LOGIN_THROTTLE_LOOPBACK),
                config.get(GatewaySettings.LOGIN_RATE),
                config.get(GatewaySettings.LOGIN_BURST));
        scheduler.scheduleWithFixedDelay(() -> logins.sweep(System.nanoTime()), 10, 10, TimeUnit.SECONDS);
        final Core core = new Core(registry, link, scheduler, config.get(GatewaySettings.KEEP_ALIVE),
                config.get(GatewaySettings.KEEP_ALIVE_MIN), config.get(GatewaySettings.KEEP_ALIVE_MAX),
                config.get(GatewaySettings.MAX_BODY_BYTES), config.get(GatewaySettings.READ_WINDOW),
                config.get(GatewaySettings.TRANSFER_TIMEOUT), Duration.ofSeconds(30), logins,
                config.get(GatewaySettings.MAX_OBSERVATIONS), Integer.parseInt(config.get(GatewaySettings.BLOCK_SIZE)),
                config.get(GatewaySettings.NOSEC).equals("any"));
        server = new CoapServer(cf);
        final String host = config.get(GatewaySettings.BIND_ADDRESS);
        try {
            final int coapPort = config.get(GatewaySettings.COAP_PORT);
            if (coapPort >= 0) {
                final RandomMessageIds mids = messageIds(cf);
                coapEndpoint = endpoint(cf, "coap", mids).setInetSocketAddress(new InetSocketAddress(host, coapPort))
                        .build();
                // an empty ACK or RST that matches nothing, with an id the gateway never used towards that address,
                // is a guessed acknowledgement (see ObservationResource); a late duplicate of a real one is not
                final SessionRegistry strays = registry;
                coapEndpoint.addPostProcessInterceptor(new MessageInterceptorAdapter() {
                    @Override
                    public void receiveEmptyMessage(final EmptyMessage message) {
                        final InetSocketAddress from = message.getSourceContext().getPeerAddress();
                        if (message.isCanceled() && message.getType() != CoAP.Type.CON
                                && !mids.wasIssued(from, message.getMID())) {
                            strays.strayEmpty(from);
                        }
                    }
                });
                server.addEndpoint(coapEndpoint);
            }
            final int coapsPort = config.get(GatewaySettings.COAPS_PORT);
            if (coapsPort >= 0) {
                coapsEndpoint = endpoint(cf, "coaps", messageIds(cf))
                        .setConnector(new DTLSConnector(dtls(cf, new InetSocketAddress(host, coapsPort)))).build();
                server.addEndpoint(coapsEndpoint);
            }
            final SessionRegistry pings = registry;
            final int maxBody = config.get(GatewaySettings.MAX_BODY_BYTES);
            for (final Endpoint e : server.getEndpoints()) {
                e.addInterceptor(new MessageInterceptorAdapter() {
                    @Override
                    public void receiveEmptyMessage(final EmptyMessage message) {
                        if (message.getType() == CoAP.Type.CON) {
                            pings.pinged(message.getSourceContext().getPeerAddress());
                        }
                    }

                    @Override
                    public void sendResponse(final Response response) {
                        // Californium's block-wise layer answers a body over the limit itself: say which limits
                        if (response.getCode() == CoAP.ResponseCode.REQUEST_ENTITY_TOO_LARGE
                                && response.getPayloadString().startsWith("body too large")) {
                            response.setPayload(Core.tooLarge(-1, maxBody));
                        }
                    }
                });
            }
            final SessionResource sessions = new SessionResource(core, MqttLink::connect);
            server.setMessageDeliverer(GatewayDeliverer.install(server.getRoot(), cf, core, sessions));
            if (server.getEndpoints().isEmpty()) {
                // Californium's CoapServer.start() would add a default endpoint on *:5683: with both listeners off
                // the gateway must open nothing at all
                log.info("CoAP gateway: coap.port and coaps.port are both off; no listener opened");
                return this;
            }
            server.start();
        } catch (final IOException | RuntimeException e) {
            stop();
            throw e instanceof IOException ? (IOException) e
                    : new IOException("the CoAP gateway did not start: " + e.getMessage(), e);
        }
        log.info("CoAP gateway for {}: {}{}", config.get(GatewaySettings.MQTT_SERVER),
                coapEndpoint != null ? "coap://" + host + ":" + coapPort() : "",
                coapsEndpoint != null ? (coapEndpoint != null ? ", " : "") + "coaps://" + host + ":" + coapsPort() : "");
        return this;
    }

    /**
     * An endpoint builder with the gateway's parser and an exchange store whose message ids are random
     * ({@link RandomMessageIds}): what an empty ACK of a notification must match is not predictable.
     */
    private static CoapEndpoint.Builder endpoint(final Configuration cf, final String tag, final RandomMessageIds mids) {
        final TokenGenerator tokens = new RandomTokenGenerator(cf);
        final InMemoryMessageExchangeStore store = new InMemoryMessageExchangeStore(tag, cf, tokens);
        store.setMessageIdProvider(mids);
        return CoapEndpoint.builder().setConfiguration(cf).setTokenGenerator(tokens).setMessageExchangeStore(store)
                .setDataSerializerAndParser(new UdpDataSerializer(), new StrictUdpParser());
    }

    private static RandomMessageIds messageIds(final Configuration cf) {
        return new RandomMessageIds(cf.get(CoapConfig.EXCHANGE_LIFETIME, TimeUnit.MILLISECONDS),
                cf.get(CoapConfig.MULTICAST_BASE_MID));
    }

    static @NotNull Configuration californium(final @NotNull GatewayConfig config) {
        final Configuration cf = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        final int block = Integer.parseInt(config.get(GatewaySettings.BLOCK_SIZE));
        cf.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, config.get(GatewaySettings.MAX_BODY_BYTES));
        cf.set(CoapConfig.PREFERRED_BLOCK_SIZE, block);
        cf.set(CoapConfig.MAX_MESSAGE_SIZE, block);
        // read every datagram UDP can carry, so that an oversized request is answered (4.13) instead of dropped
        cf.set(UdpConfig.UDP_DATAGRAM_SIZE, MAX_UDP_PAYLOAD);
        cf.set(CoapConfig.ACK_TIMEOUT, config.get(GatewaySettings.ACK_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
        cf.set(CoapConfig.MAX_RETRANSMIT, config.get(GatewaySettings.MAX_RETRANSMIT));
        cf.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, config.get(GatewaySettings.TRANSFER_TIMEOUT).toMillis() * 2,
                TimeUnit.MILLISECONDS);
        cf.set(CoapConfig.BLOCKWISE_STRICT_BLOCK2_OPTION, true);
        final int cid = config.get(GatewaySettings.CID_LENGTH);
        cf.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, cid == 0 ? null : cid);
        cf.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
        return cf;
    }

    private DtlsConnectorConfig dtls(final Configuration cf, final InetSocketAddress address) throws IOException {
        final DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(cf).setAddress(address);
        switch (config.get(GatewaySettings.PSK)) {
            case "derived":
                if (secret == null) {
                    throw new IOException("coaps.psk=derived needs the deployment secret (RTM_SECRET or the secret file)");
                }
                b.setAdvancedPskStore(DevicePskStore.derived(secret));
                break;
            case "file":
                b.setAdvancedPskStore(DevicePskStore.fromFile(Path.of(config.get(GatewaySettings.PSK_FILE))));
                break;
            default:
                break;
        }
        final String keyStore = config.get(GatewaySettings.KEY_STORE);
        if (!keyStore.isEmpty()) {
            final KeyStore ks = load(keyStore, config.get(GatewaySettings.KEY_STORE_PASSWORD));
            try {
                final char[] pw = config.get(GatewaySettings.KEY_STORE_PASSWORD).toCharArray();
                for (final String alias : Collections.list(ks.aliases())) {
                    if (ks.isKeyEntry(alias)) {
                        final PrivateKey key = (PrivateKey) ks.getKey(alias, pw);
                        final Certificate[] chain = ks.getCertificateChain(alias);
                        final X509Certificate[] x509 = Arrays.copyOf(chain, chain.length, X509Certificate[].class);
                        b.setCertificateIdentityProvider(new SingleCertificateProvider(key, x509, CertificateType.X_509));
                        break;
                    }
                }
            } catch (final GeneralSecurityException e) {
                throw new IOException("coaps.key-store " + keyStore + ": " + e.getMessage(), e);
            }
        }
        final String trustStore = config.get(GatewaySettings.TRUST_STORE);
        if (!trustStore.isEmpty()) {
            final KeyStore ts = load(trustStore, config.get(GatewaySettings.TRUST_STORE_PASSWORD));
            final List<X509Certificate> cas = new ArrayList<>();
            try {
                for (final String alias : Collections.list(ts.aliases())) {
                    final Certificate c = ts.getCertificate(alias);
                    if (c instanceof X509Certificate) {
                        cas.add((X509Certificate) c);
                    }
                }
            } catch (final GeneralSecurityException e) {
                throw new IOException("coaps.trust-store " + trustStore + ": " + e.getMessage(), e);
            }
            b.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedCertificates(cas.toArray(new X509Certificate[0])).build());
            b.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.WANTED);
        } else {
            b.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NONE);
        }
        return b.build();
    }

    private static KeyStore load(final String file, final String password) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            return ks;
        } catch (final GeneralSecurityException e) {
            throw new IOException("cannot read key store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Stops the listeners; every device session ends as lost (the broker sees lost connections). Idempotent. */
    public synchronized void stop() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
        if (server != null) {
            server.destroy();
            server = null;
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        coapEndpoint = null;
        coapsEndpoint = null;
    }

    @Override
    public void close() {
        stop();
    }

    /** The bound UDP port of plain CoAP, or -1 when it is off or not started. */
    public int coapPort() {
        final Endpoint e = coapEndpoint;
        return e == null ? -1 : e.getAddress().getPort();
    }

    /** The bound UDP port of CoAPS, or -1 when it is off or not started. */
    public int coapsPort() {
        final Endpoint e = coapsEndpoint;
        return e == null ? -1 : e.getAddress().getPort();
    }

    /** Device sessions open now. */
    public int sessionCount() {
        final SessionRegistry r = registry;
        return r == null ? 0 : r.size();
    }

    /** The configuration in force. */
    public @NotNull GatewayConfig config() {
        return config;
    }

    /** Options of a gateway. Not thread-safe. */
    public static final class Builder {
        private GatewayConfig config = GatewayConfig.defaults();
        private byte[] secret;

        private Builder() {
        }

        /** The validated configuration (default: {@link GatewayConfig#defaults()}). */
        public @NotNull Builder config(final @NotNull GatewayConfig config) {
            this.config = config;
            return this;
        }

        /** The deployment's secret, from which device PSKs are derived ({@code coaps.psk=derived}). */
        public @NotNull Builder secret(final byte @Nullable [] secret) {
            this.secret = secret == null ? null : secret.clone();
            return this;
        }

        /** The gateway (not started). */
        public @NotNull CoapGateway build() {
            return new CoapGateway(this);
        }
    }
}
