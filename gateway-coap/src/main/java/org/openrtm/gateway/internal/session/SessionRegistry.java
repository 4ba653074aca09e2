package org.openrtm.gateway.internal.session;

import org.eclipse.californium.elements.EndpointContext;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.gateway.internal.mqtt.MqttLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Every open device session, by session id and by uid, and the sweeper that ends sessions silent for longer than
 * their keep-alive. A uid has at most one session: a new login ends the old one (as MQTT's session takeover does).
 * Thread-safe: the maps are concurrent, and ending a session is idempotent.
 */
public final class SessionRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    private static final int SID_BYTES = 12;

    private final Map<String, DeviceSession> bySid = new ConcurrentHashMap<>();
    private final Map<String, DeviceSession> byUid = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, DeviceSession> byAddress = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final int maxSessions;
    private final ScheduledFuture<?> sweeper;

    /**
     * @param scheduler where the sweeper runs (every {@code sweepMillis})
     * @param maxSessions most sessions at once
     */
    public SessionRegistry(final @NotNull ScheduledExecutorService scheduler, final int maxSessions, final long sweepMillis) {
        this.maxSessions = maxSessions;
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** Whether another session fits. */
    public boolean hasRoom() {
        return bySid.size() < maxSessions;
    }

    /** A new session, not registered yet (registered by {@link #open} once its MQTT side is connected). */
    public @NotNull DeviceSession create(final @NotNull String uid, final boolean secure, final long keepAliveMillis,
                                         final @NotNull EndpointContext context) {
        final byte[] raw = new byte[SID_BYTES];
        random.nextBytes(raw);
        final String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        return new DeviceSession(sid, uid, secure, keepAliveMillis, context);
    }

    /** Registers a session whose MQTT side is connected; an older session of the same uid is ended (taken over). */
    public void open(final @NotNull DeviceSession session, final @NotNull MqttLink link) {
        session.link(link);
        session.touch(); // the keep-alive runs from now, not from the start of a slow login
        bySid.put(session.sid(), session);
        final DeviceSession old = byUid.put(session.uid(), session);
        if (old != null && old != session) {
            end(old, DeviceSession.EndReason.TAKEN_OVER, "a newer login of " + session.uid() + " took the session over");
        }
        log.debug("Session of {} opened ({} open)", session.uid(), bySid.size());
    }

    /** The session with this id, if open. */
    public @Nullable DeviceSession bySid(final @NotNull String sid) {
        return bySid.get(sid);
    }

    /** The uid's open session, if any. */
    public @Nullable DeviceSession byUid(final @NotNull String uid) {
        return byUid.get(uid);
    }

    /** The session's latest request came from {@code address}: a CoAP ping from there is a sign of its life. */
    public void seenAt(final @NotNull DeviceSession session, final @NotNull InetSocketAddress address) {
        final InetSocketAddress previous = session.lastAddress(address);
        if (previous != null && !previous.equals(address)) {
            byAddress.remove(previous, session);
        }
        if (session.ended() == null) {
            byAddress.put(address, session);
        }
    }

    /**
     * A CoAP ping (an empty confirmable message, RFC 7252 section 4.3) arrived from {@code address}. Pings carry no
     * session id, so the session whose latest request came from that address counts it as a heartbeat.
     *
     * @return whether a session was refreshed
     */
    public boolean pinged(final @NotNull InetSocketAddress address) {
        final DeviceSession s = byAddress.get(address);
        if (s == null || s.ended() != null) {
            return false;
        }
        s.touch();
        return true;
    }

    /**
     * An empty ACK or RST from {@code address} matched no message (plain CoAP): the session whose latest request came
     * from there counts it, so that an acknowledgement it gets meanwhile is not trusted.
     */
    public void strayEmpty(final @NotNull InetSocketAddress address) {
        final DeviceSession s = byAddress.get(address);
        if (s != null && s.ended() == null) {
            s.strayEmpty();
        }
    }

    /** Number of open sessions. */
    public int size() {
        return bySid.size();
    }

    /**
     * Ends a session: its observations end (with a final error notification when the device did not cause the
     * end), and its MQTT side closes — with DISCONNECT for a logout, without it otherwise. Idempotent.
     */
    public void end(final @NotNull DeviceSession session, final @NotNull DeviceSession.EndReason reason,
                    final @NotNull String why) {
        if (!session.markEnded(reason)) {
            return;
        }
        bySid.remove(session.sid(), session);
        byUid.remove(session.uid(), session);
        final InetSocketAddress address = session.lastAddress(null);
        if (address != null) {
            byAddress.remove(address, session);
        }
        log.debug("Session of {} ended ({}): {}", session.uid(), reason, why);
        final List<Feed.Sink> sinks = session.takeSinks();
        for (final Feed.Sink sink : sinks) {
            switch (reason) {
                case TAKEN_OVER:
                    sink.terminate(4, 1, why);
                    break;
                case BROKER:
                    sink.terminate(5, 3, why);
                    break;
                default:
                    sink.cancelQuietly();
                    break;
            }
        }
        final MqttLink link = session.link();
        if (link == null) {
            return;
        }
        switch (reason) {
            case LOGOUT:
                link.disconnect();
                break;
            case LOST:
            case SHUTDOWN:
            case TAKEN_OVER:
                link.abort();
                break;
            default:
                break; // the broker side is already gone
        }
    }

    void sweep() {
        try {
            final long now = System.nanoTime();
            for (final DeviceSession s : bySid.values()) {
                if (s.silentLongerThanKeepAlive(now)) {
                    end(s, DeviceSession.EndReason.LOST, "silent for " + s.silentMillis() + " ms, longer than its keep-alive of "
                            + s.keepAliveMillis() + " ms");
                }
            }
        } catch (final RuntimeException e) {
            log.error("Session sweep failed: {}", e.toString());
            log.debug("Sweep failure", e);
        }
    }

    /** Ends every session (gateway shutdown): the broker sees lost connections. */
    @Override
    public void close() {
        sweeper.cancel(false);
        for (final DeviceSession s : bySid.values()) {
            end(s, DeviceSession.EndReason.SHUTDOWN, "the gateway is stopping");
        }
    }
}
