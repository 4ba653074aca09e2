package org.openrtm.sdk.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Events;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.openrtm.sdk.ConnectionChange;
import org.openrtm.sdk.ConnectionChangeReason;
import org.openrtm.sdk.ConnectionListener;
import org.openrtm.sdk.ConnectionState;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.LoginError;
import org.openrtm.sdk.LoginException;
import org.openrtm.sdk.NotLoggedInException;
import org.openrtm.sdk.OutboxFullException;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.RateLimitedException;
import org.openrtm.sdk.Receipt;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.RtmTimeoutException;
import org.openrtm.sdk.SendResult;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client's engine: the connection state machine, the outbox, incoming messages and requests.
 *
 * <h2>Threads</h2>
 * All mutable state is confined to one thread, the <em>engine</em> ({@code rtm-engine-<uid>}): public calls and
 * Paho's callbacks only enqueue tasks there ({@link #onEngine(Runnable)}), so there are no locks. Anything that may
 * block (tearing a Paho client down) runs on the <em>I/O</em> executor. Listeners run and futures complete on the
 * <em>callback</em> executor, serialized. See the module's README, "Threading".
 */
final class ClientCore {

    private static final Logger LOG = Logger.getLogger(ClientCore.class.getName());
    private static final char[] BASE32 = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    /** The subscriptions of every connection, before the features' ones: inbox, event and call topics. */
    private static final int FIXED_SUBSCRIPTIONS = 3;
    /**
     * How long {@link #close()} waits for the DISCONNECT (Link.logout waits 2 s for it, 2 s for the server to close
     * the connection, then 1 s to close).
     */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    final ClientConfig config;
    final ScheduledThreadPoolExecutor engine;
    final ThreadPoolExecutor io;
    private final ThreadPoolExecutor ownCallbackThread;
    private final SerialExecutor callbacks;
    final CopyOnWriteArrayList<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
    final CopyOnWriteArrayList<PeerListener> peerListeners = new CopyOnWriteArrayList<>();
    private final Backoff backoff;
    private final String inboxFilter;
    private final String eventTopic;
    private final String callFilter;
    private final String cidPrefix;
    private final AtomicLong cidCounter = new AtomicLong();
    private final AtomicLong seqs = new AtomicLong();

    private volatile ConnectionState state = ConnectionState.DISCONNECTED;

    // ---- engine-confined state
    private ConnectionChangeReason lastReason = ConnectionChangeReason.LOGOUT;
    private String token;
    private String tokenFetchedAfterRefusal;
    private Link link;
    private long linkNumbers;
    private long loginEpoch;
    private boolean everConnected;
    private int attempt;
    private ScheduledFuture<?> retryTimer;
    private ScheduledFuture<?> loginTimer;
    private LoginException lastLoginProblem;
    private final List<CompletableFuture<Void>> loginWaiters = new ArrayList<>();
    private final Outbox outbox;
    private final Map<String, Pending> requests = new HashMap<>();
    private final RecentIds inboxIds;
    private final RecentIds eventIds;
    private final ReceiptTracker receipts;
    private final RecentIds channelIds;
    private final RecentIds broadcastIds;
    /** The features' subscriptions (channels, presence, broadcasts). */
    final Subscriptions subscriptions;
    final PresenceImpl presence;
    final ChannelsImpl channels;
    final BroadcastsImpl broadcasts;
    final AttributesImpl attributes;
    final HistoryImpl history;
    final CallsImpl calls;
    private boolean closed;
    /** Publishes that were retries of an operation sent before (statistics, for tests and logs). */
    private long resends;
    /** Keeps the publishes under the server's rate limit. */
    private final Pacer pacer = new Pacer();
    /** A pump waiting for the pacer, or null. */
    private ScheduledFuture<?> paceTimer;
    /** Publishes refused as rate_limited and queued again (statistics, for tests and logs). */
    private long rateLimited;

    ClientCore(final ClientConfig config) {
        this.config = config;
        this.token = config.token;
        this.engine = new ScheduledThreadPoolExecutor(1, daemon("rtm-engine-" + config.uid));
        engine.setKeepAliveTime(10, TimeUnit.SECONDS);
        engine.allowCoreThreadTimeOut(true);
        engine.setRemoveOnCancelPolicy(true);
        this.io = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("rtm-io-" + config.uid));
        if (config.callbackExecutor == null) {
            ownCallbackThread = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(), daemon("rtm-callback-" + config.uid));
            ownCallbackThread.allowCoreThreadTimeOut(true);
            callbacks = new SerialExecutor(ownCallbackThread);
        } else {
            ownCallbackThread = null;
            callbacks = new SerialExecutor(config.callbackExecutor);
        }
        this.backoff = new Backoff(config.backoffInitial, config.backoffMax, config.backoffJitter);
        this.inboxFilter = RtmTopics.inboxFilter(config.uid);
        this.eventTopic = RtmTopics.event(config.uid);
        this.callFilter = RtmTopics.callFilter(config.uid);
        this.outbox = new Outbox(config.outboxCapacity);
        this.inboxIds = new RecentIds(config.duplicateMemory);
        this.eventIds = new RecentIds(config.duplicateMemory);
        this.receipts = new ReceiptTracker(config.receiptTracking);
        this.channelIds = new RecentIds(config.duplicateMemory);
        this.broadcastIds = new RecentIds(config.duplicateMemory);
        this.cidPrefix = randomPrefix();
        this.presence = new PresenceImpl(this);
        this.channels = new ChannelsImpl(this);
        this.broadcasts = new BroadcastsImpl(this);
        this.attributes = new AttributesImpl(this);
        this.history = new HistoryImpl(this);
        this.calls = new CallsImpl(this);
        this.subscriptions = new Subscriptions(this::subscriptionLost);
    }

    private static ThreadFactory daemon(final String name) {
        return r -> {
            final Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static String randomPrefix() {
        final SecureRandom random = new SecureRandom();
        final char[] c = new char[12];
        for (int i = 0; i < c.length; i++) {
            c[i] = BASE32[random.nextInt(32)];
        }
        return new String(c);
    }

    // ============================================================================================ plumbing

    /** Runs a task on the engine thread; never throws (a task after close is dropped: then false). */
    boolean onEngine(final Runnable task) {
        try {
            engine.execute(() -> {
                try {
                    task.run();
                } catch (final RuntimeException | Error e) {
                    LOG.log(Level.SEVERE, "internal error in the RTM client of " + config.uid + ": " + e, e);
                }
            });
            return true;
        } catch (final RejectedExecutionException e) {
            LOG.log(Level.FINE, "client {0} is closed; task dropped", config.uid);
            return false;
        }
    }

    private ScheduledFuture<?> schedule(final Runnable task, final long millis) {
        return engine.schedule(() -> {
            try {
                task.run();
            } catch (final RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "internal error in the RTM client of " + config.uid + ": " + e, e);
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    <T> void complete(final CompletableFuture<T> f, final T value) {
        callbacks.execute(() -> f.complete(value));
    }

    void fail(final CompletableFuture<?> f, final Throwable error) {
        callbacks.execute(() -> f.completeExceptionally(error));
    }

    /** Runs a listener call on the callback executor; an exception it throws is logged. */
    void callback(final String what, final Runnable call) {
        callbacks.execute(() -> {
            try {
                call.run();
            } catch (final RuntimeException e) {
                LOG.log(Level.WARNING, what + " threw " + e, e);
            }
        });
    }

    /**
     * Runs a listener call on the callback executor, then acknowledges the message to the server (on the connection
     * it came on), so a message whose callback never ran is delivered again.
     */
    void callbackThenAck(final String what, final Link l, final MqttMessage m, final Runnable call) {
        callbacks.execute(() -> {
            try {
                call.run();
            } catch (final RuntimeException e) {
                LOG.log(Level.WARNING, what + " threw " + e, e);
            } finally {
                onEngine(() -> acknowledge(l, m));
            }
        });
    }

    /**
     * Calls every listener on the callback executor, in order, then acknowledges the message on the engine; a listener
     * that throws is logged (as {@code what}) and does not keep the others from being called.
     */
    <L> void deliverThenAck(final String what, final Link l, final MqttMessage m, final Iterable<L> listeners,
                            final Consumer<L> call) {
        callbackThenAck(what, l, m, () -> eachListener(what, listeners, call));
    }

    /** Calls every listener in order on this thread; a listener that throws is logged and skipped. */
    static <L> void eachListener(final String what, final Iterable<L> listeners, final Consumer<L> call) {
        for (final L listener : listeners) {
            try {
                call.accept(listener);
            } catch (final RuntimeException e) {
                LOG.log(Level.WARNING, what + " threw " + e, e);
            }
        }
    }

    ConnectionState state() {
        return state;
    }

    private void setState(final ConnectionState next, final ConnectionChangeReason reason, final int code,
                          final @Nullable String detail, final boolean resumed) {
        final ConnectionState previous = state;
        if (previous == next && lastReason == reason) {
            return;
        }
        state = next;
        lastReason = reason;
        final ConnectionChange change = new ConnectionChange(previous, next, reason, code, detail, resumed);
        LOG.log(Level.FINE, "{0}: {1}", new Object[] {config.uid, change});
        callbacks.execute(() -> {
            for (final ConnectionListener l : connectionListeners) {
                try {
                    l.onConnectionStateChanged(change);
                } catch (final RuntimeException e) {
                    LOG.log(Level.WARNING, "connection listener threw " + e, e);
                }
            }
        });
    }

    // ============================================================================================ login

    CompletableFuture<Void> login() {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        onEngine(() -> {
            if (closed) {
                fail(f, new LoginException(LoginError.CANCELED, -1, "the client is closed", null));
                return;
            }
            switch (state) {
                case CONNECTED:
                    complete(f, null);
                    return;
                case CONNECTING:
                case RECONNECTING:
                    loginWaiters.add(f);
                    return;
                default:
                    loginWaiters.add(f);
                    startLogin();
            }
        });
        return f;
    }

    private void startLogin() {
        loginEpoch++;
        everConnected = false;
        attempt = 0;
        lastLoginProblem = null;
        tokenFetchedAfterRefusal = null;
        setState(ConnectionState.CONNECTING, ConnectionChangeReason.LOGIN, -1, null, false);
        final long epoch = loginEpoch;
        loginTimer = schedule(() -> {
            if (epoch == loginEpoch && !everConnected && state == ConnectionState.CONNECTING) {
                final LoginException problem = lastLoginProblem;
                final LoginException e = problem != null && problem.error() == LoginError.UNREACHABLE
                        ? new LoginException(LoginError.UNREACHABLE, -1, "could not reach " + config.serverUri
                                + " within the login timeout of " + config.loginTimeout + ": " + problem.getMessage(),
                                problem.getCause())
                        : problem != null && problem.error() == LoginError.SERVER_UNAVAILABLE
                        ? problem
                        : new LoginException(LoginError.TIMEOUT, -1, "login did not complete within the login timeout of "
                                + config.loginTimeout, null);
                loginFailed(e, ConnectionChangeReason.LOGIN_FAILURE);
            }
        }, config.loginTimeout.toMillis());
        if (token == null) {
            fetchToken(epoch, t -> {
                token = t;
                connectNow();
            }, error -> loginFailed(new LoginException(LoginError.NO_TOKEN, -1,
                    "the token supplier gave no token: " + error, null), ConnectionChangeReason.LOGIN_FAILURE));
            return;
        }
        connectNow();
    }

    private void fetchToken(final long epoch, final Consumer<String> then, final Consumer<String> failed) {
        if (config.tokenSupplier == null) {
            failed.accept("no token supplier is configured");
            return;
        }
        final CompletionStage<String> stage;
        try {
            stage = Objects.requireNonNull(config.tokenSupplier.fetchToken(config.uid), "the supplier returned null");
        } catch (final RuntimeException e) {
            failed.accept(e.toString());
            return;
        }
        stage.whenComplete((t, e) -> onEngine(() -> {
            if (epoch != loginEpoch) {
                return;
            }
            if (e != null || t == null || t.isEmpty()) {
                failed.accept(e != null ? e.toString() : "it returned an empty token");
                return;
            }
            then.accept(t);
        }));
    }

    private void connectNow() {
        cancelRetry();
        if (link != null) {
            endLink(link);
        }
        final Link l;
        try {
            l = new Link(this, ++linkNumbers);
        } catch (final MqttException e) {
            loginFailed(new LoginException(LoginError.REFUSED, -1, "cannot create an MQTT client: " + e, e),
                    ConnectionChangeReason.LOGIN_FAILURE);
            return;
        }
        link = l;
        try {
            l.connect(token);
        } catch (final MqttException | RuntimeException e) {
            onConnectFailed(l, e);
        }
    }

    /**
     * @param rate  the server's publish rate limit from the CONNACK ({@code rtm-rate}), or 0 if it did not say
     * @param burst its burst ({@code rtm-rate-burst}), or 0
     */
    void onConnected(final Link l, final boolean sessionPresent, final int receiveMaximum, final long rate,
                     final long burst) {
        if (l != link) {
            io.execute(l::close);
            return;
        }
        l.connected = true;
        l.window = Math.max(1, receiveMaximum);
        pacer.limit(rate, burst, l.window, System.nanoTime());
        l.sessionPresent = sessionPresent;
        // a fresh session has none of the features' subscriptions: they ride along with the login's SUBSCRIBE, so
        // that nothing is sent before the channels are joined again
        l.resubscribed = sessionPresent ? List.of() : subscriptions.resubscription();
        final List<Subscriptions.Sub> subs = new ArrayList<>(FIXED_SUBSCRIPTIONS + l.resubscribed.size());
        subs.add(new Subscriptions.Sub(inboxFilter, false));
        subs.add(new Subscriptions.Sub(eventTopic, false));
        subs.add(new Subscriptions.Sub(callFilter, false));
        subs.addAll(l.resubscribed);
        try {
            l.subscribe(subs, (codes, reason) -> onSubscribed(l, codes, reason));
        } catch (final MqttException | RuntimeException e) {
            onLinkBroken(l, "subscribe failed: " + e);
        }
    }

    void onSubscribed(final Link l, final int[] codes, final @Nullable String reason) {
        if (l != link) {
            return;
        }
        for (int i = 0; i < FIXED_SUBSCRIPTIONS; i++) {
            final int code = i < codes.length ? codes[i] : 0x80;
            if (code >= 0x80) {
                final String detail = "the server refused this user's inbox, events or call invitations"
                        + String.format(" (SUBACK 0x%02X)", code)
                        + (reason != null ? ": " + Wording.serverReason(reason) : "");
                loginFailed(new LoginException(LoginError.SUBSCRIPTION_REFUSED, code, detail, null),
                        ConnectionChangeReason.LOGIN_FAILURE);
                return;
            }
        }
        if (!l.resubscribed.isEmpty()) {
            subscriptions.resubscribed(l.resubscribed, java.util.Arrays.copyOfRange(codes,
                    Math.min(FIXED_SUBSCRIPTIONS, codes.length), codes.length), reason);
        }
        l.ready = true;
        attempt = 0;
        tokenFetchedAfterRefusal = null;
        cancel(loginTimer);
        final ConnectionChangeReason reason2 = everConnected ? ConnectionChangeReason.RECONNECTED
                : ConnectionChangeReason.LOGIN_SUCCESS;
        everConnected = true;
        setState(ConnectionState.CONNECTED, reason2, 0, null, l.sessionPresent);
        for (final CompletableFuture<Void> w : loginWaiters) {
            complete(w, null);
        }
        loginWaiters.clear();
        pump();
        subscriptions.pump(l);
        if (!l.resubscribed.isEmpty()) {
            channels.freshSession();
        }
    }

    void onConnectFailed(final Link l, final Throwable error) {
        if (l != link) {
            return;
        }
        link = null;
        endLink(l);
        final ConnackSniffer.Connack connack = l.sniffer.connack();
        int code = -1;
        String detail = Link.describe(error);
        if (connack != null && connack.reasonCode >= 0x80) {
            code = connack.reasonCode;
            detail = connack.reasonString != null ? connack.reasonString
                    : String.format("the server refused the connection (CONNACK 0x%02X)", code);
        } else if (error instanceof MqttException) {
            final int rc = ((MqttException) error).getReasonCode();
            if (rc >= 0x80 && rc <= 0xFF) {
                code = rc;
                detail = String.format("the server refused the connection (CONNACK 0x%02X)", code);
            }
        }
        if (code < 0) {
            LOG.log(Level.FINE, "{0}: connection attempt failed: {1}", new Object[] {config.uid, detail});
            lastLoginProblem = new LoginException(LoginError.UNREACHABLE, -1, detail, error);
            scheduleRetry();
            return;
        }
        final int refusal = code;
        final String why = detail;
        if ((code == 0x86 || code == 0x87) && config.tokenSupplier != null && !Objects.equals(tokenFetchedAfterRefusal, token)) {
            final String refused = token;
            tokenFetchedAfterRefusal = refused;
            fetchToken(loginEpoch, t -> {
                if (t.equals(refused)) {
                    refused(refusal, why);
                } else {
                    token = t;
                    tokenFetchedAfterRefusal = t;
                    connectNow();
                }
            }, e -> refused(refusal, why));
            return;
        }
        refused(code, detail);
    }

    /** The server refused a CONNECT with this reason code. */
    private void refused(final int code, final String detail) {
        final LoginError error = loginError(code);
        if (!everConnected) {
            if (error == LoginError.SERVER_UNAVAILABLE) {
                lastLoginProblem = new LoginException(error, code, detail, null);
                scheduleRetry();
                return;
            }
            loginFailed(new LoginException(error, code, detail, null), ConnectionChangeReason.LOGIN_FAILURE);
            return;
        }
        switch (error) {
            case BANNED:
                abort(ConnectionChangeReason.BANNED, code, detail);
                return;
            case TOKEN_EXPIRED:
                setState(ConnectionState.RECONNECTING, ConnectionChangeReason.TOKEN_EXPIRED, code, detail, false);
                break;
            case BAD_TOKEN:
            case INVALID_UID:
                setState(ConnectionState.RECONNECTING, ConnectionChangeReason.LOGIN_FAILURE, code, detail, false);
                break;
            default:
                break;
        }
        scheduleRetry();
    }

    static LoginError loginError(final int code) {
        switch (code) {
            case 0x85:
                return LoginError.INVALID_UID;
            case 0x86:
                return LoginError.BAD_TOKEN;
            case 0x87:
                return LoginError.TOKEN_EXPIRED;
            case 0x8A:
                return LoginError.BANNED;
            case 0x88:
            case 0x89:
            case 0x9F:
                return LoginError.SERVER_UNAVAILABLE;
            default:
                return LoginError.REFUSED;
        }
    }

    private void loginFailed(final LoginException e, final ConnectionChangeReason reason) {
        LOG.log(Level.FINE, "{0}: login failed: {1}", new Object[] {config.uid, e.getMessage()});
        loginEpoch++;
        cancelRetry();
        cancel(loginTimer);
        if (link != null) {
            endLink(link);
            link = null;
        }
        // the state first: whoever sees the failed future must see the new state too
        setState(ConnectionState.DISCONNECTED, reason, e.reasonCode(), e.getMessage(), false);
        for (final CompletableFuture<Void> w : loginWaiters) {
            fail(w, e);
        }
        loginWaiters.clear();
        failEverything("the login failed: " + e.getMessage());
    }

    private void scheduleRetry() {
        cancelRetry();
        attempt++;
        final long delay = backoff.delayMillis(attempt, ThreadLocalRandom.current().nextDouble());
        final long epoch = loginEpoch;
        LOG.log(Level.FINE, "{0}: reconnect attempt {1} in {2} ms", new Object[] {config.uid, attempt, delay});
        retryTimer = schedule(() -> {
            if (epoch == loginEpoch && link == null
                    && (state == ConnectionState.CONNECTING || state == ConnectionState.RECONNECTING)) {
                connectNow();
            }
        }, delay);
    }

    private void cancelRetry() {
        cancel(retryTimer);
        retryTimer = null;
    }

    private static void cancel(final @Nullable ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    void renewToken(final String newToken) {
        onEngine(() -> {
            token = newToken;
            tokenFetchedAfterRefusal = null;
            if (state == ConnectionState.RECONNECTING && link == null
                    && (lastReason == ConnectionChangeReason.TOKEN_EXPIRED
                    || lastReason == ConnectionChangeReason.LOGIN_FAILURE)) {
                connectNow();
            }
        });
    }

    // ============================================================================================ connection loss

    /** The connection ended (server DISCONNECT with {@code code}, or lost with code -1). */
    void onConnectionLost(final Link l, final int code, final @Nullable String detail) {
        if (l != link || !l.connected) {
            // a connection that never got its CONNACK ends through its connect listener
            return;
        }
        link = null;
        endLink(l);
        final ConnectionChangeReason finalReason = disconnectReason(code);
        if (finalReason != null) {
            abort(finalReason, code, detail);
            return;
        }
        if (everConnected) {
            setState(ConnectionState.RECONNECTING, ConnectionChangeReason.INTERRUPTED, code, detail, false);
        }
        attempt = 0;
        scheduleRetry();
    }

    /**
     * Why a server DISCONNECT ends the session for good, or null if the client should reconnect (a lost connection,
     * a server shutting down, a keep-alive timeout, ...).
     */
    static @Nullable ConnectionChangeReason disconnectReason(final int code) {
        switch (code) {
            case 0x8E: // Session taken over
                return ConnectionChangeReason.REMOTE_LOGIN;
            case 0x8A: // Banned
            case 0x87: // Not authorized
                return ConnectionChangeReason.BANNED;
            case 0x98: // Administrative action
                return ConnectionChangeReason.KICKED;
            default:
                return null;
        }
    }

    /** Something failed on a connection in a way that means it is unusable; treat it as lost. */
    void onLinkBroken(final Link l, final String why) {
        if (l != link) {
            return;
        }
        LOG.log(Level.FINE, "{0}: {1}: {2}", new Object[] {config.uid, l, why});
        l.connected = true;
        onConnectionLost(l, -1, why);
    }

    /** Stops using a connection: its unanswered operations go back to the outbox, and it is closed. */
    private void endLink(final Link l) {
        if (l.ended) {
            return;
        }
        l.ended = true;
        final List<Pending> back = new ArrayList<>(l.inFlight);
        for (final Pending p : requests.values()) {
            if (p.link == l && p.awaitingReply && !p.done) {
                p.awaitingReply = false;
                back.add(p);
            }
        }
        l.inFlight.clear();
        final List<Pending> retry = new ArrayList<>(back.size());
        for (final Pending p : back) {
            if (p.qos == 0 && p.sends > 0) {
                finish(p, new GroupAck("", p.id, -1)); // at most once: written, or lost with the connection
            } else if (p.retryable || p.sends == 0) {
                retry.add(p);
            } else {
                finish(p, new RtmTimeoutException((p.kind == Pending.Kind.RPC ? "request " + p.method : p.toString())
                        + " was sent, but the connection dropped before the answer; it is not sent again (it is"
                        + " conditional), and its outcome is unknown", true));
            }
        }
        outbox.putBack(retry);
        subscriptions.linkEnded(l);
        io.execute(l::close);
    }

    private void abort(final ConnectionChangeReason reason, final int code, final @Nullable String detail) {
        loginEpoch++;
        cancelRetry();
        cancel(loginTimer);
        if (link != null) {
            endLink(link);
            link = null;
        }
        final String why = "the server ended the session (" + reason + (detail != null ? ": " + detail : "") + ")";
        setState(ConnectionState.ABORTED, reason, code, detail, false);
        for (final CompletableFuture<Void> w : loginWaiters) {
            fail(w, new LoginException(reason == ConnectionChangeReason.BANNED ? LoginError.BANNED : LoginError.REFUSED,
                    code, why, null));
        }
        loginWaiters.clear();
        failEverything(why);
    }

    /** Fails every pending operation and receipt (logout, abort, failed login). */
    private void failEverything(final String why) {
        final ConnectionState now = state;
        for (final Pending p : outbox.unfinished()) {
            finish(p, new NotLoggedInException(now, why + (p.sends > 0
                    ? "; " + Wording.operation(p) + " was sent, its outcome is unknown" : "")));
        }
        final NotLoggedInException receiptError = new NotLoggedInException(now, why + "; receipts are no longer tracked");
        for (final CompletableFuture<Receipt> f : receipts.clear()) {
            fail(f, receiptError);
        }
        // the session ended with the login: the broker forgot every subscription, the server every membership
        subscriptions.clear(new NotLoggedInException(now, why));
        presence.clear();
        channels.clear();
        broadcasts.clear();
        attributes.clear();
        calls.clear(why);
    }

    CompletableFuture<Void> logout() {
        return logout(new CompletableFuture<>());
    }

    /**
     * @param sent completed on the I/O thread (not the callback executor) once the DISCONNECT is sent or there was
     *             nothing to disconnect, so that {@link #close()} may wait for it on any thread, a callback included
     */
    private CompletableFuture<Void> logout(final CompletableFuture<Void> sent) {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        final boolean queued = onEngine(() -> {
            if (state == ConnectionState.DISCONNECTED || state == ConnectionState.ABORTED) {
                sent.complete(null);
                complete(f, null);
                return;
            }
            loginEpoch++;
            cancelRetry();
            cancel(loginTimer);
            setState(ConnectionState.DISCONNECTED, ConnectionChangeReason.LOGOUT, -1, null, false);
            for (final CompletableFuture<Void> w : loginWaiters) {
                fail(w, new LoginException(LoginError.CANCELED, -1, "logout() was called during the login", null));
            }
            loginWaiters.clear();
            failEverything("logged out");
            final Link l = link;
            link = null;
            if (l == null) {
                sent.complete(null);
                complete(f, null);
                return;
            }
            l.ended = true;
            l.inFlight.clear();
            io.execute(() -> {
                try {
                    l.logout();
                } finally {
                    sent.complete(null);
                    complete(f, null);
                }
            });
        });
        if (!queued) {
            // closed already: there is nothing left to log out
            sent.complete(null);
            f.complete(null);
        }
        return f;
    }

    /**
     * Logs out and waits, at most {@link #CLOSE_TIMEOUT}, until the DISCONNECT is sent, so that a program that ends
     * right after {@code close()} leaves as a clean logout (presence {@code offline}, out of its channels) rather than
     * a lost connection; then releases the threads.
     */
    void close() {
        final CompletableFuture<Void> sent = new CompletableFuture<>();
        final CompletableFuture<Void> done = logout(sent);
        onEngine(() -> closed = true);
        try {
            sent.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final TimeoutException e) {
            LOG.log(Level.FINE, "client {0}: the logout took longer than {1}; closing anyway",
                    new Object[] {config.uid, CLOSE_TIMEOUT});
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final ExecutionException e) {
            LOG.log(Level.FINE, "client {0}: logout failed: {1}", new Object[] {config.uid, e.getCause()});
        }
        done.whenComplete((v, e) -> {
            engine.shutdown();
            io.shutdown();
            if (ownCallbackThread != null) {
                // let the callbacks already queued run, then let the thread end
                ownCallbackThread.shutdown();
            }
        });
    }

    // ============================================================================================ outbox

    String nextClientMessageId() {
        return cidPrefix + "-" + Long.toString(cidCounter.incrementAndGet(), 36);
    }

    /** Accepts a peer message; the future completes with a {@link SendResult}. */
    CompletableFuture<Object> sendPeer(final String to, final byte[] payload, final boolean text,
                                       final org.openrtm.sdk.SendOptions options) {
        final String topic = RtmTopics.inbox(to, config.uid);
        final String cid = options.clientMessageId() != null ? options.clientMessageId() : nextClientMessageId();
        final List<UserProperty> props = new ArrayList<>();
        props.add(new UserProperty(Props.CID, cid));
        if (!options.offline()) {
            props.add(new UserProperty(Props.OFFLINE, Props.FALSE));
        }
        if (!options.history()) {
            props.add(new UserProperty(Props.HISTORY, Props.FALSE));
        }
        if (options.receipt()) {
            props.add(new UserProperty(Props.RECEIPT, Props.TRUE));
        }
        for (final Map.Entry<String, String> e : options.properties().entrySet()) {
            props.add(new UserProperty(e.getKey(), e.getValue()));
        }
        final Long expiry = options.expiry() == null ? null
                : options.expiry().getSeconds() + (options.expiry().getNano() > 0 ? 1 : 0);
        final Pending p = new Pending(Pending.Kind.PEER, seqs.incrementAndGet(), topic, payload, text, props, expiry, cid,
                null);
        p.receipt = options.receipt();
        final Duration timeout = options.timeout() != null ? options.timeout() : config.sendTimeout;
        submit(p, timeout);
        return p.future;
    }

    /**
     * Accepts a channel message or a broadcast; the future completes with a {@link GroupAck}.
     *
     * @param kind            {@link Pending.Kind#CHANNEL} or {@link Pending.Kind#BROADCAST}
     * @param topic           the topic to publish to
     * @param payload         the payload (not copied)
     * @param text            whether to mark it as UTF-8 text
     * @param properties      the protocol's and the application's user properties, {@code rtm-cid} excluded
     * @param clientMessageId the caller's {@code rtm-cid}, or null for a fresh one
     * @param timeout         the send's timeout, or null for the client's
     * @param qos             1, or 0 to send it at most once (then the future completes once it is written, with no
     *                        {@code rtm-id} and recipients -1)
     */
    CompletableFuture<Object> sendGroup(final Pending.Kind kind, final String topic, final byte[] payload, final boolean text,
                                        final Map<String, String> properties, final @Nullable String clientMessageId,
                                        final @Nullable Duration timeout, final int qos) {
        final String cid = clientMessageId != null ? clientMessageId : nextClientMessageId();
        final List<UserProperty> props = new ArrayList<>();
        props.add(new UserProperty(Props.CID, cid));
        properties.forEach((k, v) -> props.add(new UserProperty(k, v)));
        final Pending p = new Pending(kind, seqs.incrementAndGet(), topic, payload, text, props, null, cid, null);
        p.qos = qos;
        submit(p, timeout != null ? timeout : config.sendTimeout);
        return p.future;
    }

    /**
     * Queues a SUBSCRIBE or UNSUBSCRIBE for a feature, with the request timeout. Engine thread.
     *
     * @param done told the outcome once, on the engine: null for success, else the error (the refusal, a timeout, or
     *             {@link NotLoggedInException})
     * @return false (and nothing queued, nothing told) if the client is not logged in
     */
    boolean submitSubscription(final boolean subscribe, final List<Subscriptions.Sub> subs,
                               final Consumer<RtmException> done) {
        if (state == ConnectionState.DISCONNECTED || state == ConnectionState.ABORTED || closed) {
            return false;
        }
        final ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
        final Subscriptions.Op op = subscriptions.submit(subscribe, subs, error -> {
            cancel(timer[0]);
            done.accept(error);
        });
        final Duration timeout = config.requestTimeout;
        timer[0] = schedule(() -> {
            if (op.told) {
                return;
            }
            final boolean waiting = subscriptions.isWaiting(op);
            if (waiting && subscribe) {
                subscriptions.drop(op); // never sent: nothing happened
            }
            subscriptions.tellEarly(op, new RtmTimeoutException(Wording.subscription(subscribe, List.of(op.filters()))
                    + " got no answer within " + timeout + (waiting ? " (it was never sent: the client was "
                    + state + ")" : " (it was sent; if the server grants it late, it is undone)"), !waiting));
        }, timeout.toMillis());
        final Link l = link;
        if (l != null && l.ready && state == ConnectionState.CONNECTED) {
            subscriptions.pump(l);
        }
        return true;
    }

    /**
     * Submits a subscription whose grant completes {@code f}; when it is refused or times out, runs {@code undo} and
     * then fails {@code f} with the error. When the client cannot submit it, fails {@code f} with {@link #notLoggedIn()}
     * at once (without {@code undo}) and returns false: the caller then records nothing. Engine thread.
     *
     * @return whether it was submitted
     */
    boolean submitSubscription(final List<Subscriptions.Sub> subs, final CompletableFuture<Void> f, final Runnable undo) {
        final boolean accepted = submitSubscription(true, subs, error -> {
            if (error == null) {
                complete(f, null);
                return;
            }
            undo.run();
            fail(f, error);
        });
        if (!accepted) {
            fail(f, notLoggedIn());
        }
        return accepted;
    }

    /**
     * Submits an unsubscription whose answer completes {@code f} (or fails it with the error); fails {@code f} at once
     * with {@link #notLoggedIn()} when the client cannot submit it. Engine thread.
     */
    void submitUnsubscription(final List<Subscriptions.Sub> subs, final CompletableFuture<Void> f) {
        if (!submitSubscription(false, subs, error -> {
            if (error == null) {
                complete(f, null);
            } else {
                fail(f, error);
            }
        })) {
            fail(f, notLoggedIn());
        }
    }

    /** The server refused to restore a feature's subscription after a fresh-session reconnect. */
    private void subscriptionLost(final String filter, final RtmException why) {
        channels.lost(filter, why);
        presence.lost(filter, why);
        broadcasts.lost(filter, why);
        attributes.lost(filter, why);
    }

    /** A {@link NotLoggedInException} for an operation started while not logged in. */
    NotLoggedInException notLoggedIn() {
        return new NotLoggedInException(state, "not logged in (state " + state + "): call login() first");
    }

    /** Accepts a request; the future completes with the result's JSON text. */
    CompletableFuture<Object> request(final String method, final String json) {
        return request(method, json, true);
    }

    /**
     * Accepts a request; the future completes with the result's JSON text.
     *
     * @param retryable false for a request that must not run twice (a conditional write): if its connection drops
     *                  after it was sent, it fails with an unknown outcome instead of being sent again
     */
    CompletableFuture<Object> request(final String method, final String json, final boolean retryable) {
        final String topic = RtmTopics.rpc(method);
        final long seq = seqs.incrementAndGet();
        final String correlation = "r" + Long.toString(seq, 36) + "-" + cidPrefix;
        final Pending p = new Pending(Pending.Kind.RPC, seq, topic,
                json.getBytes(StandardCharsets.UTF_8), true, List.of(), null, correlation, method);
        p.retryable = retryable;
        submit(p, config.requestTimeout);
        return p.future;
    }

    /** Accepts a call action (JSON) for a call topic; the future completes with a {@link CallAck}. */
    CompletableFuture<Object> sendCall(final String topic, final String json) {
        final Pending p = new Pending(Pending.Kind.CALL, seqs.incrementAndGet(), topic,
                json.getBytes(StandardCharsets.UTF_8), true, List.of(), null, nextClientMessageId(), null);
        submit(p, config.sendTimeout);
        return p.future;
    }

    /** Schedules a task on the engine; the task must not throw (it is wrapped like every engine task). */
    ScheduledFuture<?> scheduleOnEngine(final Runnable task, final Duration delay) {
        return schedule(task, delay.toMillis());
    }

    private void submit(final Pending p, final Duration timeout) {
        p.future.whenComplete((v, e) -> {
            if (e instanceof java.util.concurrent.CancellationException) {
                onEngine(() -> {
                    if (!p.done) {
                        p.done = true;
                        cancel(p.timer);
                        outbox.finished(p);
                        if (p.kind == Pending.Kind.RPC) {
                            requests.remove(p.id);
                        }
                    }
                });
            }
        });
        onEngine(() -> {
            if (state == ConnectionState.DISCONNECTED || state == ConnectionState.ABORTED || closed) {
                p.done = true;
                fail(p.future, new NotLoggedInException(state, "not logged in (state " + state + "): call login() first"));
                return;
            }
            if (p.future.isDone()) {
                return;
            }
            if (!outbox.accept(p)) {
                p.done = true;
                fail(p.future, new OutboxFullException("the outbox is full: " + outbox.capacity()
                        + " operations are pending (outboxCapacity); wait for some to complete"));
                return;
            }
            if (p.kind == Pending.Kind.RPC) {
                requests.put(p.id, p);
            }
            p.timer = schedule(() -> {
                if (!p.done && p.rateLimited != null && outbox.isWaiting(p)) {
                    // its last answer was rate_limited and it was not sent since: nothing was delivered
                    finish(p, p.rateLimited);
                } else if (!p.done) {
                    finish(p, new RtmTimeoutException(Wording.operation(p) + " got no answer within " + timeout
                            + (p.sends > 0 ? " (it was sent; its outcome is unknown)" : " (it was never sent: "
                            + (state == ConnectionState.CONNECTED ? "it waited in the outbox" : "the client was " + state)
                            + ")"), p.sends > 0));
                }
            }, timeout.toMillis());
            pump();
        });
    }

    /** Sends what waits in the outbox, as far as the server's Receive Maximum allows. */
    private void pump() {
        final Link l = link;
        if (l == null || !l.ready || state != ConnectionState.CONNECTED) {
            return;
        }
        while (l.inFlight.size() < l.window) {
            final Pending p = outbox.next();
            if (p == null) {
                return;
            }
            if (p.done) {
                continue;
            }
            final long wait = pacer.take(System.nanoTime());
            if (wait > 0) {
                outbox.putBack(p);
                if (paceTimer == null) {
                    paceTimer = schedule(() -> {
                        paceTimer = null;
                        pump();
                    }, (wait + 999_999) / 1_000_000);
                }
                return;
            }
            try {
                l.publish(p, message(p));
            } catch (final MqttException e) {
                outbox.putBack(p);
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                    LOG.log(Level.FINE, "{0}: publish on {1} failed, waiting for the connection: {2}",
                            new Object[] {config.uid, l, e});
                }
                return;
            } catch (final RuntimeException e) {
                finish(p, new RtmException(org.openrtm.sdk.RtmErrorCode.UNKNOWN,
                        "could not send " + Wording.operation(p) + ": " + e, e));
                continue;
            }
            if (p.sends > 0) {
                resends++;
            }
            p.sends++;
            p.rateLimited = null;
            p.link = l;
            p.awaitingReply = false;
            l.inFlight.add(p);
        }
    }

    private MqttMessage message(final Pending p) {
        final MqttMessage m = new MqttMessage(p.payload);
        m.setQos(p.qos);
        final MqttProperties props = new MqttProperties();
        if (!p.properties.isEmpty()) {
            props.setUserProperties(new ArrayList<>(p.properties));
        }
        if (p.expirySeconds != null) {
            props.setMessageExpiryInterval(p.expirySeconds);
        }
        if (p.text) {
            props.setPayloadFormat(true);
        }
        if (p.kind == Pending.Kind.RPC) {
            props.setResponseTopic(eventTopic);
            props.setCorrelationData(p.id.getBytes(StandardCharsets.UTF_8));
        }
        m.setProperties(props);
        return m;
    }

    void onPubAck(final Link l, final Pending p, final int code, final @Nullable MqttProperties props) {
        l.inFlight.remove(p);
        if (!p.done) {
            final Map<String, String> up = userProperties(props);
            final String status = up.get(Props.STATUS);
            final String reason = props == null ? null : props.getReasonString();
            if (p.kind == Pending.Kind.CALL && code == 0x83 && p.sends > 1) {
                // a retry that conflicts with the call's state: the first attempt went through before the connection
                // dropped (the call's events tell the rest)
                finish(p, new CallAck(DeliveryStatus.DELIVERED, null, true));
            } else if (!Results.isSuccess(code) && RtmStatus.RATE_LIMITED.code().equals(status)) {
                // refused before the server looked at it (nothing was delivered or recorded): send it again, with the
                // same rtm-cid, once the server's bucket has refilled; the send timeout still bounds the wait
                final RateLimitedException refusal = (RateLimitedException) Results.refusal(code, status, reason);
                rateLimited++;
                LOG.log(Level.FINE, "{0}: {1} refused as rate_limited; sent again after the hint",
                        new Object[] {config.uid, p});
                p.rateLimited = refusal;
                final Duration hint = refusal.retryAfter();
                pacer.refused(hint == null ? 0 : hint.toNanos(), System.nanoTime());
                outbox.putBack(p);
            } else if (!Results.isSuccess(code)) {
                finish(p, Results.refusal(code, status, reason));
            } else if (p.kind == Pending.Kind.PEER) {
                peerAccepted(p, Results.delivery(code, status), up.get(Props.ID));
            } else if (p.kind == Pending.Kind.CALL) {
                finish(p, new CallAck(Results.delivery(code, status), up.get(Props.ID), false));
            } else if (p.kind == Pending.Kind.CHANNEL || p.kind == Pending.Kind.BROADCAST) {
                final String rtmId = up.get(Props.ID);
                finish(p, new GroupAck(rtmId != null ? rtmId : "", p.id, (int) parseLong(up.get(Props.RECIPIENTS), -1)));
            } else {
                // the reply comes on the event topic; if the connection drops first, the request is sent again
                p.awaitingReply = true;
                p.link = l;
            }
        }
        if (l == link) {
            pump();
        }
    }

    private void peerAccepted(final Pending p, final DeliveryStatus status, final @Nullable String rtmId) {
        final String id = rtmId != null ? rtmId : "";
        final CompletableFuture<Receipt> receipt = new CompletableFuture<>();
        if (status == DeliveryStatus.UNREACHABLE || rtmId == null) {
            fail(receipt, new RtmTimeoutException("no receipt will come for message " + p.id + ": it was " + status, true));
        } else if (!p.receipt) {
            fail(receipt, new IllegalStateException("no receipt was asked for message " + p.id
                    + ": send it with SendOptions.builder().receipt(true)"));
        } else {
            final List<CompletableFuture<Receipt>> evicted = new ArrayList<>();
            final Receipt early = receipts.track(id, receipt, evicted);
            if (early != null) {
                complete(receipt, early);
            }
            for (final CompletableFuture<Receipt> f : evicted) {
                fail(f, new RtmTimeoutException("receipt no longer tracked: more than " + config.receiptTracking
                        + " receipts are outstanding (receiptTracking)", true));
            }
        }
        finish(p, new SendResult(status, id, p.id, receipt));
    }

    void onPublishFailed(final Link l, final Pending p, final Throwable error) {
        if (p.done || !l.inFlight.contains(p)) {
            return;
        }
        if (l == link && l.paho.isConnected()) {
            l.inFlight.remove(p);
            finish(p, new RtmException(org.openrtm.sdk.RtmErrorCode.UNKNOWN,
                    "could not send " + Wording.operation(p) + ": " + error, error));
            pump();
        }
        // otherwise the connection is going down: the operation is sent again after the reconnect
    }

    /** Completes an operation (value or exception) on the callback executor and frees its place in the outbox. */
    private void finish(final Pending p, final Object result) {
        if (p.done) {
            return;
        }
        p.done = true;
        cancel(p.timer);
        outbox.finished(p);
        if (p.kind == Pending.Kind.RPC) {
            requests.remove(p.id);
        }
        if (result instanceof Throwable) {
            fail(p.future, (Throwable) result);
        } else {
            complete(p.future, result);
        }
    }

    // ============================================================================================ incoming

    void onMessage(final Link l, final String topic, final MqttMessage m) {
        final ParsedTopic t = RtmTopics.parse(topic);
        final MqttProperties props = m.getProperties();
        final Map<String, String> up = userProperties(props);
        if (t.isValid() && t.family() == TopicFamily.INBOX && config.uid.equals(t.id())) {
            final String rtmId = up.get(Props.ID);
            if (rtmId != null && !inboxIds.add(rtmId)) {
                LOG.log(Level.FINE, "{0}: duplicate message {1} dropped", new Object[] {config.uid, rtmId});
                l.acknowledge(m);
                return;
            }
            final Incoming in = Incoming.of(m, up);
            final PeerMessage pm = new PeerMessage(Objects.requireNonNull(t.sub()), config.uid, in.messageId,
                    in.serverTimeMillis, Props.TRUE.equals(up.get(Props.OFFLINE)), in.payload, in.text, in.contentType,
                    in.properties);
            deliverThenAck("peer listener", l, m, peerListeners, listener -> listener.onMessage(pm));
            return;
        }
        if (t.isValid() && t.family() == TopicFamily.EVENT && config.uid.equals(t.id())) {
            onEvent(l, m, up);
            return;
        }
        if (t.isValid()) {
            switch (t.family()) {
                case PRESENCE:
                    l.acknowledge(m);
                    presence.onPresence(Objects.requireNonNull(t.id()), m.getPayload(), m.isRetained());
                    return;
                case CHANNEL_MSG:
                    final String rtmId = up.get(Props.ID);
                    if (rtmId != null && !channelIds.add(rtmId)) {
                        LOG.log(Level.FINE, "{0}: duplicate channel message {1} dropped", new Object[] {config.uid, rtmId});
                        l.acknowledge(m);
                        return;
                    }
                    channels.onMessage(l, m, Objects.requireNonNull(t.id()), Objects.requireNonNull(t.sub()), up);
                    return;
                case CHANNEL_MEMBER:
                    l.acknowledge(m);
                    channels.onMember(Objects.requireNonNull(t.id()), Objects.requireNonNull(t.sub()), m.getPayload(),
                            m.isRetained());
                    return;
                case CHANNEL_COUNT:
                    l.acknowledge(m);
                    channels.onCount(Objects.requireNonNull(t.id()), m.getPayload(), m.isRetained());
                    return;
                case USER_ATTR:
                case CHANNEL_ATTR:
                    l.acknowledge(m);
                    attributes.onAttribute(t.family(), Objects.requireNonNull(t.id()), Objects.requireNonNull(t.sub()),
                            m.getPayload(), up, m.isRetained());
                    return;
                case CALL:
                    if (config.uid.equals(t.id())) {
                        calls.onCallMessage(l, m, Objects.requireNonNull(t.sub()), up);
                        return;
                    }
                    break;
                case BROADCAST:
                    final String id = up.get(Props.ID);
                    if (id != null && !broadcastIds.add(id)) {
                        l.acknowledge(m);
                        return;
                    }
                    broadcasts.onMessage(l, m, Objects.requireNonNull(t.id()), up);
                    return;
                default:
                    break;
            }
        }
        LOG.log(Level.FINE, "{0}: message on unexpected topic {1} ignored", new Object[] {config.uid, topic});
        l.acknowledge(m);
    }

    void acknowledge(final Link l, final MqttMessage m) {
        // only on the connection it came on: after a reconnect the server delivers it again (and it is dropped as a
        // duplicate, and acknowledged then)
        if (l == link && l.connected) {
            l.acknowledge(m);
        }
    }

    private void onEvent(final Link l, final MqttMessage m, final Map<String, String> up) {
        final byte[] correlation = m.getProperties() == null ? null : m.getProperties().getCorrelationData();
        final JsonObject body = Json.object(m.getPayload());
        if (correlation != null) {
            l.acknowledge(m);
            onReply(new String(correlation, StandardCharsets.UTF_8), body);
            return;
        }
        final String rtmId = up.get(Props.ID);
        if (rtmId != null && !eventIds.add(rtmId)) {
            l.acknowledge(m);
            return;
        }
        if (body != null && Events.TYPE_CALL.equals(Json.string(body, Events.TYPE))) {
            calls.onCallEvent(l, m, body);
            return;
        }
        if (body == null || !Events.TYPE_RECEIPT.equals(Json.string(body, Events.TYPE))) {
            LOG.log(Level.FINE, "{0}: event of type {1} ignored",
                    new Object[] {config.uid, body == null ? null : Json.string(body, Events.TYPE)});
            l.acknowledge(m);
            return;
        }
        final String id = Json.string(body, Events.ID);
        final String to = Json.string(body, Events.TO);
        if (id == null || to == null) {
            l.acknowledge(m);
            return;
        }
        final String status = Json.string(body, Events.STATUS);
        final long ts = parseLong(up.get(Props.TS));
        final Receipt receipt = new Receipt(id, to, status != null ? status : Events.STATUS_RECEIVED,
                ts > 0 ? Instant.ofEpochMilli(ts) : null);
        final CompletableFuture<Receipt> waiting = receipts.arrived(receipt);
        callbackThenAck("peer listener", l, m, () -> {
            eachListener("peer listener", peerListeners, listener -> listener.onReceipt(receipt));
            if (waiting != null) {
                waiting.complete(receipt);
            }
        });
    }

    private void onReply(final String correlation, final @Nullable JsonObject body) {
        final Pending p = requests.get(correlation);
        if (p == null || p.done) {
            return;
        }
        if (body == null) {
            finish(p, new RtmException(org.openrtm.sdk.RtmErrorCode.UNKNOWN, "reply to " + p.method
                    + " is not a JSON object", null));
            return;
        }
        final JsonElement ok = body.get(Rpc.FIELD_OK);
        if (ok != null && ok.isJsonPrimitive() && ok.getAsBoolean()) {
            final JsonElement result = body.get(Rpc.FIELD_RESULT);
            finish(p, result == null ? "null" : result.toString());
            return;
        }
        final JsonElement error = body.get(Rpc.FIELD_ERROR);
        final JsonObject e = error != null && error.isJsonObject() ? error.getAsJsonObject() : new JsonObject();
        finish(p, Results.rpcError(Json.string(e, "code"), Json.string(e, "message")));
    }

    static Map<String, String> userProperties(final @Nullable MqttProperties props) {
        final Map<String, String> map = new LinkedHashMap<>();
        if (props != null && props.getUserProperties() != null) {
            for (final UserProperty u : props.getUserProperties()) {
                map.putIfAbsent(u.getKey(), u.getValue());
            }
        }
        return map;
    }

    static long parseLong(final @Nullable String s) {
        return parseLong(s, 0);
    }

    static long parseLong(final @Nullable String s, final long fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s);
        } catch (final NumberFormatException e) {
            return fallback;
        }
    }

    // ============================================================================================ for tests

    /**
     * A snapshot, taken on the engine: waiting, unfinished, in flight on the current connection, resends, publishes
     * refused as rate_limited (and sent again).
     */
    CompletableFuture<long[]> outboxCounts() {
        final CompletableFuture<long[]> f = new CompletableFuture<>();
        onEngine(() -> f.complete(new long[] {outbox.waitingCount(), outbox.unfinishedCount(),
                link == null ? 0 : link.inFlight.size(), resends, rateLimited}));
        return f;
    }

    /** Publishes to any topic through the outbox, as a peer message would be (tests provoke server refusals). */
    CompletableFuture<Object> sendRaw(final String topic, final byte[] payload, final Map<String, String> properties) {
        final List<UserProperty> props = new ArrayList<>();
        props.add(new UserProperty(Props.CID, nextClientMessageId()));
        properties.forEach((k, v) -> props.add(new UserProperty(k, v)));
        final Pending p = new Pending(Pending.Kind.PEER, seqs.incrementAndGet(), topic, payload, false, props, null, "raw",
                null);
        submit(p, config.sendTimeout);
        return p.future;
    }
}
