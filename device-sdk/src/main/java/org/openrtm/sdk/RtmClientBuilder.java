package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Ids;
import org.openrtm.sdk.attribute.AttributeListener;
import org.openrtm.sdk.broadcast.BroadcastListener;
import org.openrtm.sdk.call.CallListener;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.presence.PresenceListener;
import org.openrtm.sdk.internal.Arguments;
import org.openrtm.sdk.internal.ClientConfig;
import org.openrtm.sdk.internal.DefaultRtmClient;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Builds an {@link RtmClient}. Required: {@link #serverUri(String)}, {@link #uid(String)}, and a {@link #token(String)}
 * or a {@link #tokenSupplier(TokenSupplier)}. Every setter validates its argument at once and throws
 * {@link IllegalArgumentException} naming the option, the rule and the value. Not thread-safe.
 */
public final class RtmClientBuilder {

    private String serverUri;
    private String uid;
    private String token;
    private TokenSupplier tokenSupplier;
    private Duration sendTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration loginTimeout = Duration.ofSeconds(15);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration keepAlive = Duration.ofSeconds(30);
    private Duration sessionExpiry = Duration.ofHours(1);
    private int outboxCapacity = 1000;
    private Duration backoffInitial = Duration.ofMillis(500);
    private Duration backoffMax = Duration.ofSeconds(30);
    private double backoffJitter = 0.5;
    private int receiveMaximum = 100;
    private int duplicateMemory = 1024;
    private int receiptTracking = 1000;
    private Executor callbackExecutor;
    private final List<ConnectionListener> connectionListeners = new ArrayList<>();
    private final List<PeerListener> peerListeners = new ArrayList<>();
    private final List<ChannelListener> channelListeners = new ArrayList<>();
    private final List<PresenceListener> presenceListeners = new ArrayList<>();
    private final List<BroadcastListener> broadcastListeners = new ArrayList<>();
    private final List<AttributeListener> attributeListeners = new ArrayList<>();
    private final List<CallListener> callListeners = new ArrayList<>();

    RtmClientBuilder() {
    }

    /**
     * The server, {@code tcp://host:port} (MQTT over TCP; port 1883 if omitted).
     *
     * @return this
     */
    public @NotNull RtmClientBuilder serverUri(final @NotNull String serverUri) {
        Objects.requireNonNull(serverUri, "serverUri");
        final URI uri;
        try {
            uri = new URI(serverUri);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("serverUri must be a URI like tcp://host:1883, but was '" + serverUri + "'", e);
        }
        if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("serverUri must be tcp://host[:port], but was '" + serverUri + "'");
        }
        this.serverUri = uri.getPort() < 0 ? "tcp://" + uri.getHost() + ":1883" : "tcp://" + uri.getHost() + ":" + uri.getPort();
        return this;
    }

    /**
     * The user id: 1 to 64 characters of {@code A-Z a-z 0-9 _ - . @ : ~}. It is the MQTT client id.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder uid(final @NotNull String uid) {
        final String error = Ids.uidError(uid);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        this.uid = uid;
        return this;
    }

    /**
     * The token (a JWT for the uid) to log in with. Replace it later with {@link RtmClient#renewToken(String)}.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder token(final @NotNull String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token must not be empty");
        }
        this.token = token;
        return this;
    }

    /**
     * Where to get tokens: asked at login if no {@link #token(String)} was given, and whenever the server refuses
     * the current token. See {@link TokenSupplier}.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder tokenSupplier(final @NotNull TokenSupplier tokenSupplier) {
        this.tokenSupplier = Objects.requireNonNull(tokenSupplier, "tokenSupplier");
        return this;
    }

    /**
     * Default timeout of a peer message, from the call to the server's answer (including time in the outbox);
     * default 10 s. Keep it below the server's de-duplication window (10 minutes by default): only within it are
     * retries guaranteed not to be delivered twice.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder sendTimeout(final @NotNull Duration timeout) {
        this.sendTimeout = Arguments.positive("sendTimeout", timeout);
        return this;
    }

    /**
     * Timeout of a request to the server ({@link RtmClient#request(String, String)}, {@link RtmClient#serverInfo()});
     * default 10 s.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder requestTimeout(final @NotNull Duration timeout) {
        this.requestTimeout = Arguments.positive("requestTimeout", timeout);
        return this;
    }

    /**
     * How long {@code login()} keeps trying to reach the server before it fails; default 15 s.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder loginTimeout(final @NotNull Duration timeout) {
        this.loginTimeout = Arguments.positive("loginTimeout", timeout);
        return this;
    }

    /**
     * Timeout of one connection attempt (TCP connect and CONNACK), whole seconds, at least 1; default 10 s.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder connectTimeout(final @NotNull Duration timeout) {
        this.connectTimeout = between("connectTimeout", timeout, Duration.ofSeconds(1), Duration.ofHours(1));
        return this;
    }

    /**
     * MQTT keep-alive, whole seconds from 1 s to 18 h; default 30 s. A dead connection is noticed within about 1.5
     * times this.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder keepAlive(final @NotNull Duration keepAlive) {
        this.keepAlive = between("keepAlive", keepAlive, Duration.ofSeconds(1), Duration.ofSeconds(65535));
        return this;
    }

    /**
     * How long the server keeps this client's MQTT session after the connection is lost (whole seconds, 1 s to
     * 136 years); default 1 hour. Within it a reconnect resumes the session. {@code logout()} ends it at once.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder sessionExpiry(final @NotNull Duration expiry) {
        this.sessionExpiry = between("sessionExpiry", expiry, Duration.ofSeconds(1), Duration.ofSeconds(0xFFFF_FFFEL));
        return this;
    }

    /**
     * Most operations (messages and requests) that may be pending at once: waiting in the outbox, or sent and not
     * yet answered. One more fails with {@link OutboxFullException}. Default 1000.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder outboxCapacity(final int capacity) {
        if (capacity < 1 || capacity > 1_000_000) {
            throw new IllegalArgumentException("outboxCapacity must be between 1 and 1000000, but was " + capacity);
        }
        this.outboxCapacity = capacity;
        return this;
    }

    /**
     * Reconnect backoff: the n-th attempt in a row waits {@code min(max, initial * 2^(n-1))}, less a random part
     * (see {@link #reconnectJitter(double)}). Defaults 500 ms and 30 s.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder reconnectBackoff(final @NotNull Duration initial, final @NotNull Duration max) {
        final Duration i = between("reconnectBackoff initial", initial, Duration.ofMillis(1), Duration.ofHours(1));
        final Duration m = between("reconnectBackoff max", max, Duration.ofMillis(1), Duration.ofHours(24));
        if (m.compareTo(i) < 0) {
            throw new IllegalArgumentException("reconnectBackoff max must not be less than initial (" + i + "), but was " + m);
        }
        this.backoffInitial = i;
        this.backoffMax = m;
        return this;
    }

    /**
     * The random share of each backoff delay, 0 (none) to 1 (anything from zero up to the delay); default 0.5, so
     * that many devices cut off at once do not all come back at the same moment.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder reconnectJitter(final double jitter) {
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("reconnectJitter must be between 0 and 1, but was " + jitter);
        }
        this.backoffJitter = jitter;
        return this;
    }

    /**
     * How many incoming messages the server may send before this client acknowledges them (MQTT Receive Maximum),
     * 1 to 65535; default 100. Messages are acknowledged after their listener ran, so this bounds how many wait for
     * a slow listener.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder receiveMaximum(final int receiveMaximum) {
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("receiveMaximum must be between 1 and 65535, but was " + receiveMaximum);
        }
        this.receiveMaximum = receiveMaximum;
        return this;
    }

    /**
     * How many recent message ids (per kind: messages, events) the client remembers to drop duplicates the server
     * delivers again after a reconnect; default 1024.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder duplicateMemory(final int ids) {
        if (ids < 1 || ids > 1_000_000) {
            throw new IllegalArgumentException("duplicateMemory must be between 1 and 1000000, but was " + ids);
        }
        this.duplicateMemory = ids;
        return this;
    }

    /**
     * How many sent messages may wait for their {@link SendResult#receipt()} at once; beyond it the oldest stops
     * being tracked (its future fails; {@link PeerListener#onReceipt(Receipt)} still sees the receipt). Default 1000.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder receiptTracking(final int messages) {
        if (messages < 0 || messages > 1_000_000) {
            throw new IllegalArgumentException("receiptTracking must be between 0 and 1000000, but was " + messages);
        }
        this.receiptTracking = messages;
        return this;
    }

    /**
     * The executor that runs listeners and completes futures. The client still runs callbacks one at a time and in
     * order on it. Default: a thread of the client's own, named {@code rtm-callback-<uid>}.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder callbackExecutor(final @Nullable Executor executor) {
        this.callbackExecutor = executor;
        return this;
    }

    /**
     * Adds a connection listener from the start, so that it sees the first {@code CONNECTING}.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder connectionListener(final @NotNull ConnectionListener listener) {
        connectionListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds a peer listener from the start.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder peerListener(final @NotNull PeerListener listener) {
        peerListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds a channel listener from the start.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder channelListener(final @NotNull ChannelListener listener) {
        channelListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds a presence listener from the start.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder presenceListener(final @NotNull PresenceListener listener) {
        presenceListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds a broadcast listener from the start.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder broadcastListener(final @NotNull BroadcastListener listener) {
        broadcastListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds an attribute listener from the start (it sees the attributes of the owners watched with
     * {@code attributes().subscribe}).
     *
     * @return this
     */
    public @NotNull RtmClientBuilder attributeListener(final @NotNull AttributeListener listener) {
        attributeListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Adds a call listener from the start, so that it sees the invitations that wait for this user at login.
     *
     * @return this
     */
    public @NotNull RtmClientBuilder callListener(final @NotNull CallListener listener) {
        callListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Builds the client (not logged in yet).
     *
     * @return the client
     * @throws IllegalStateException if a required option is missing
     */
    public @NotNull RtmClient build() {
        final List<String> missing = new ArrayList<>();
        if (serverUri == null) {
            missing.add("serverUri");
        }
        if (uid == null) {
            missing.add("uid");
        }
        if (token == null && tokenSupplier == null) {
            missing.add("token or tokenSupplier");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("RtmClient needs " + String.join(", ", missing));
        }
        final ClientConfig config = new ClientConfig(serverUri, uid, token, tokenSupplier, sendTimeout, requestTimeout,
                loginTimeout, connectTimeout, keepAlive, sessionExpiry, outboxCapacity, backoffInitial, backoffMax,
                backoffJitter, receiveMaximum, duplicateMemory, receiptTracking, callbackExecutor);
        return new DefaultRtmClient(config, connectionListeners, peerListeners, channelListeners, presenceListeners,
                broadcastListeners, attributeListeners, callListeners);
    }

    private static Duration between(final String name, final Duration d, final Duration min, final Duration max) {
        Objects.requireNonNull(d, name);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", but was " + d);
        }
        return d;
    }
}
