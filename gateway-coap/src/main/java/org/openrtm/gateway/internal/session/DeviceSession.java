package org.openrtm.gateway.internal.session;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.californium.elements.EndpointContext;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.gateway.internal.mqtt.MqttLink;
import org.openrtm.protocol.ParsedTopic;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One device's session: who it is, when it was last heard from, where to send its notifications, its MQTT link,
 * and its feeds (one per observed or read topic filter).
 *
 * <h2>Delivery to the device</h2>
 * Each feed sends one notification at a time, as a confirmable message, and acknowledges the MQTT message only when
 * the device acknowledged the notification (and, for a body sent in blocks, fetched the last block). Until then the
 * server keeps the message in the device's offline cache, so a device that goes away loses nothing: what it did not
 * acknowledge is handed again when it next observes (same session) or logs in (new session).
 *
 * <h2>Threads</h2>
 * The monitor of this object guards the feeds; MQTT callbacks (HiveMQ client event loop), CoAP callbacks
 * (Californium's threads) and the registry's sweeper all take it briefly. No Californium or MQTT call is made while
 * holding it: methods decide under the lock and act after releasing it.
 */
public final class DeviceSession {

    private static final Logger log = LoggerFactory.getLogger(DeviceSession.class);

    /** Why a session ended. */
    public enum EndReason {
        /** The device logged out: DISCONNECT, presence offline at once. */
        LOGOUT,
        /** The device was silent for longer than its keep-alive: the socket closes without DISCONNECT. */
        LOST,
        /** The same uid logged in again (here or over MQTT). */
        TAKEN_OVER,
        /** The broker closed the MQTT side, or it failed. */
        BROKER,
        /** The gateway is stopping. */
        SHUTDOWN
    }

    private final String sid;
    private final String uid;
    private final boolean secure;
    private final long keepAliveMillis;
    private final Map<String, Feed> feeds = new HashMap<>();
    private volatile long lastSeenNanos;
    private volatile EndpointContext context;
    private volatile MqttLink link;
    private volatile EndReason ended;
    private InetSocketAddress lastAddress; // guarded by this
    private final AtomicLong strayEmpties = new AtomicLong();

    DeviceSession(final @NotNull String sid, final @NotNull String uid, final boolean secure, final long keepAliveMillis,
                  final @NotNull EndpointContext context) {
        this.sid = sid;
        this.uid = uid;
        this.secure = secure;
        this.keepAliveMillis = keepAliveMillis;
        this.context = context;
        this.lastSeenNanos = System.nanoTime();
    }

    /** The session id the device presents ({@code ?s=}). */
    public @NotNull String sid() {
        return sid;
    }

    /** The device's uid. */
    public @NotNull String uid() {
        return uid;
    }

    /** Whether the session was opened over DTLS (then it is only usable over DTLS). */
    public boolean isSecure() {
        return secure;
    }

    /** The keep-alive in milliseconds: silent for longer, the session is lost. */
    public long keepAliveMillis() {
        return keepAliveMillis;
    }

    /** Why the session ended, or null while it is open. */
    public @Nullable EndReason ended() {
        return ended;
    }

    /** Where notifications go: the address (and DTLS connection) of the device's latest request. */
    public @NotNull EndpointContext context() {
        return context;
    }

    /** The MQTT side. */
    public @NotNull MqttLink link() {
        return link;
    }

    void link(final @NotNull MqttLink link) {
        this.link = link;
    }

    /**
     * The device was heard from: refreshes the keep-alive and, if its address changed (NAT rebinding), moves its
     * notifications to the new address.
     */
    public void touch(final @Nullable EndpointContext from) {
        lastSeenNanos = System.nanoTime();
        if (from == null) {
            return;
        }
        final boolean moved = !from.getPeerAddress().equals(context.getPeerAddress());
        context = from;
        if (moved) {
            log.debug("Session of {} moved to {}", uid, from.getPeerAddress());
            resendInflight();
        }
    }

    /**
     * The device's address changed while notifications may be in flight to the old one: their acknowledgements would
     * come from the new address and not match, so each is sent again, to the new address (Californium replaces the
     * pending retransmission with it). The device may see a message twice; the envelope's {@code id} tells.
     */
    private void resendInflight() {
        final List<Feed.Sink> sinks = new ArrayList<>();
        synchronized (this) {
            for (final Feed f : feeds.values()) {
                if (f.inflight != null && f.inflightSink != null) {
                    sinks.add(f.inflightSink);
                }
            }
        }
        sinks.forEach(Feed.Sink::notifyDevice);
    }

    /**
     * Swaps the address of the latest request (for the registry's ping index).
     *
     * @param address the new address, or null to only read it
     * @return the previous address
     */
    synchronized @Nullable InetSocketAddress lastAddress(final @Nullable InetSocketAddress address) {
        final InetSocketAddress previous = lastAddress;
        if (address != null) {
            lastAddress = address;
        }
        return previous;
    }

    /**
     * An empty ACK or RST came from this session's address and matched no message the gateway sent: a late duplicate
     * of the device's own, or a guess by someone who spoofs the device's address.
     */
    public void strayEmpty() {
        strayEmpties.incrementAndGet();
    }

    /** How many stray empty ACKs and RSTs came from the session's address so far. */
    public long strayEmpties() {
        return strayEmpties.get();
    }

    /**
     * The acknowledgement of a plain-CoAP notification of {@code message} cannot be trusted (stray empty messages came
     * from the device's address while it was in flight: someone may be guessing message ids). The message is not
     * delivered: it goes back to the head of the feed, and the feed sends nothing more until the device's next
     * request with its session id ({@link #confirmedBySession}), when it is sent again.
     *
     * @return whether the message was the one in flight (and is now held back)
     */
    public boolean untrusted(final @NotNull Feed feed, final @NotNull Feed.Sink sink, final @NotNull Mqtt5Publish message) {
        synchronized (this) {
            if (feed.inflight != message || feed.inflightSink != sink) {
                return false;
            }
            requeueInflight(feed);
            feed.suspended = true;
            return true;
        }
    }

    /**
     * A request named this session by its session id (a secret an off-path attacker does not have): the device is
     * there, so notifications held back after an untrusted acknowledgement go out again.
     */
    public void confirmedBySession() {
        final List<Feed> resumed = new ArrayList<>();
        synchronized (this) {
            for (final Feed f : feeds.values()) {
                if (f.suspended) {
                    f.suspended = false;
                    resumed.add(f);
                }
            }
        }
        resumed.forEach(this::pump);
    }

    /** The device was heard from without a request (it acknowledged a notification, or pinged). */
    public void touch() {
        lastSeenNanos = System.nanoTime();
    }

    boolean silentLongerThanKeepAlive(final long nowNanos) {
        return nowNanos - lastSeenNanos > keepAliveMillis * 1_000_000L;
    }

    /** Milliseconds since the device was last heard from. */
    public long silentMillis() {
        return (System.nanoTime() - lastSeenNanos) / 1_000_000L;
    }

    boolean markEnded(final EndReason reason) {
        synchronized (this) {
            if (ended != null) {
                return false;
            }
            ended = reason;
            return true;
        }
    }

    // ------------------------------------------------------------------------------------------------ observations

    /**
     * The outcome of {@link #observe}: the feed, and the subscription's SUBACK reason code (0 if it already existed);
     * or, when the session holds its maximum of observations, only the refusal.
     */
    public record Attach(@Nullable Feed feed, @Nullable CompletableFuture<Integer> subscribed, @Nullable String refusal) {
    }

    /**
     * A device observes {@code filter}: the sink becomes the feed's current observer (replacing an older one, which
     * is dropped quietly), and the feed is subscribed if it is not yet.
     *
     * @param subscribe       subscribes a filter and yields the SUBACK reason code
     * @param maxObservations most observations the session may hold; a new filter beyond it is refused
     */
    public @NotNull Attach observe(final @NotNull String filter, final @Nullable TopicFamily family,
                                   final @NotNull Feed.Sink sink,
                                   final @NotNull Function<String, CompletableFuture<Integer>> subscribe,
                                   final int maxObservations) {
        final Feed.Sink old;
        final CompletableFuture<Integer> sub;
        final boolean start;
        final Feed feed;
        synchronized (this) {
            final Feed existing = feeds.get(filter);
            if (existing == null || existing.current == null) {
                final int held = observationsLocked();
                if (held >= maxObservations) {
                    return new Attach(null, null, "the session holds " + held + " observations, the most "
                            + "session.max-observations allows (" + maxObservations + "): end one (GET with Observe: 1 "
                            + "and its token) before observing another");
                }
            }
            feed = feeds.computeIfAbsent(filter, f -> new Feed(f, family));
            old = feed.current;
            feed.current = sink;
            feed.currentReady = false;
            requeueInflight(feed);
            if (feed.subscribed) {
                sub = CompletableFuture.completedFuture(0);
                start = false;
            } else if (feed.subscribing != null) {
                sub = feed.subscribing;
                start = false;
            } else {
                sub = new CompletableFuture<>();
                feed.subscribing = sub;
                start = true;
            }
        }
        if (old != null && old != sink) {
            old.cancelQuietly();
        }
        if (start) {
            subscribe.apply(filter).whenComplete((code, error) -> {
                final int c = error != null ? 0x80 : code;
                synchronized (this) {
                    feed.subscribing = null;
                    feed.subscribed = c < 0x80;
                }
                sub.complete(c);
            });
        }
        return new Attach(feed, sub, null);
    }

    /**
     * The device deregisters an observation (GET with Observe: 1 and the registration's token, RFC 7641 section
     * 3.6): the observation ends as if the device had answered a notification with RST.
     *
     * @return whether an observation of this session had that token
     */
    public boolean deregister(final byte @NotNull [] token) {
        Feed.Sink found = null;
        synchronized (this) {
            for (final Feed f : feeds.values()) {
                if (f.current != null && f.current.hasToken(token)) {
                    found = f.current;
                    break;
                }
            }
        }
        if (found != null) {
            found.cancelQuietly();
        }
        return found != null;
    }

    /** The registration response went out: the observation may receive notifications now. */
    public void ready(final @NotNull Feed feed, final @NotNull Feed.Sink sink) {
        synchronized (this) {
            if (feed.current != sink) {
                return;
            }
            feed.currentReady = true;
        }
        pump(feed);
    }

    /** The registration failed (its subscription was refused): the sink is not the feed's observer any more. */
    public void refused(final @NotNull Feed feed, final @NotNull Feed.Sink sink) {
        synchronized (this) {
            if (feed.current == sink) {
                feed.current = null;
            }
            if (feed.idle() && !feed.subscribed) {
                feeds.remove(feed.filter, feed);
            }
        }
    }

    /** The message being notified to {@code sink} now, or null. */
    public @Nullable Mqtt5Publish inflight(final @NotNull Feed feed, final @NotNull Feed.Sink sink) {
        synchronized (this) {
            return feed.inflightFor(sink);
        }
    }

    /**
     * The device acknowledged the notification of {@code message} (and fetched all its blocks): the MQTT message is
     * acknowledged (the server sends the sender its receipt and removes it from the offline cache), and the next
     * one is notified.
     */
    public void delivered(final @NotNull Feed feed, final @NotNull Feed.Sink sink, final @NotNull Mqtt5Publish message) {
        synchronized (this) {
            if (feed.inflight != message || feed.inflightSink != sink) {
                return;
            }
            feed.inflight = null;
            feed.inflightSink = null;
        }
        touch();
        acknowledge(message);
        pump(feed);
    }

    /**
     * The observation ended (RST, retransmissions ran out, deregistration, transfer timeout): an undelivered message
     * goes back to the head of the queue, and if the sink was the feed's current observer, the MQTT subscription goes
     * too. Messages of mailbox families stay held for the next observation (the server has them in the offline cache
     * until acknowledged); others are acknowledged and dropped, as for any unsubscribed client.
     *
     * @param unsubscribe unsubscribes a filter
     */
    public void observationEnded(final @NotNull Feed feed, final @NotNull Feed.Sink sink,
                                 final @NotNull Function<String, CompletableFuture<?>> unsubscribe) {
        final List<Mqtt5Publish> drop = new ArrayList<>();
        final boolean unsub;
        synchronized (this) {
            if (feed.inflightSink == sink) {
                requeueInflight(feed);
            }
            if (feed.current != sink) {
                return;
            }
            feed.current = null;
            feed.currentReady = false;
            unsub = feed.subscribed && feed.readers.isEmpty() && ended == null;
            if (unsub) {
                feed.subscribed = false;
            }
            if (!feed.isMailbox()) {
                drop.addAll(feed.pending);
                feed.pending.clear();
            }
            if (feed.idle() && !feed.subscribed) {
                feeds.remove(feed.filter, feed);
            }
        }
        drop.forEach(DeviceSession::acknowledge);
        if (unsub) {
            log.debug("Observation of {} by {} ended: unsubscribing", feed.filter, uid);
            unsubscribe.apply(feed.filter);
        }
    }

    private static void requeueInflight(final Feed feed) {
        if (feed.inflight != null) {
            feed.pending.addFirst(feed.inflight);
            feed.inflight = null;
            feed.inflightSink = null;
        }
    }

    private void pump(final Feed feed) {
        final Feed.Sink sink;
        synchronized (this) {
            if (ended != null || feed.current == null || !feed.currentReady || feed.inflight != null
                    || feed.pending.isEmpty() || feed.suspended) {
                return;
            }
            feed.inflight = feed.pending.poll();
            feed.inflightSink = feed.current;
            sink = feed.current;
        }
        sink.notifyDevice();
    }

    // --------------------------------------------------------------------------------------------------- reads

    /**
     * Reads the retained value of {@code filter}: subscribes if needed and completes with the first retained message,
     * or with null when the caller's window ran out ({@link #endRead}).
     */
    public @NotNull CompletableFuture<Mqtt5Publish> read(final @NotNull String filter, final @Nullable TopicFamily family,
                                                         final @NotNull Function<String, CompletableFuture<Integer>> subscribe,
                                                         final @NotNull CompletableFuture<Integer> subAck) {
        final CompletableFuture<Mqtt5Publish> result = new CompletableFuture<>();
        final Feed feed;
        synchronized (this) {
            feed = feeds.computeIfAbsent(filter, f -> new Feed(f, family));
            feed.readers.add(result);
        }
        // always subscribe again: MQTT sends the retained message on every subscribe
        subscribe.apply(filter).whenComplete((code, error) -> {
            final int c = error != null ? 0x80 : code;
            synchronized (this) {
                if (c < 0x80) {
                    feed.subscribed = true;
                }
            }
            subAck.complete(c);
        });
        return result;
    }

    /** The read of {@code filter} is over: the subscription goes unless an observation uses it. */
    public void endRead(final @NotNull String filter, final @NotNull CompletableFuture<Mqtt5Publish> reader,
                        final @NotNull Function<String, CompletableFuture<?>> unsubscribe) {
        final boolean unsub;
        synchronized (this) {
            final Feed feed = feeds.get(filter);
            if (feed == null) {
                return;
            }
            feed.readers.remove(reader);
            unsub = feed.subscribed && feed.current == null && feed.readers.isEmpty() && ended == null && !feed.isMailbox();
            if (unsub) {
                feed.subscribed = false;
            }
            if (feed.idle() && !feed.subscribed) {
                feeds.remove(filter, feed);
            }
        }
        if (unsub) {
            unsubscribe.apply(filter);
        }
    }

    // --------------------------------------------------------------------------------------------------- messages

    /** A message from the broker (HiveMQ client event loop). */
    public void onMessage(final @NotNull Mqtt5Publish publish) {
        final String topic = publish.getTopic().toString();
        log.trace("Message on {} for {}", topic, uid);
        final List<CompletableFuture<Mqtt5Publish>> readersToComplete = new ArrayList<>();
        Feed target = null;
        boolean ackNow = false;
        synchronized (this) {
            if (ended != null) {
                return; // not acknowledged: the server hands it again in the next session
            }
            Feed first = null;
            for (final Feed f : feeds.values()) {
                if (!RtmTopics.matches(f.filter, topic)) {
                    continue;
                }
                if (publish.isRetain() && !f.readers.isEmpty()) {
                    readersToComplete.addAll(f.readers);
                    f.readers.clear();
                    ackNow = true;
                    first = null;
                    target = null;
                    break;
                }
                if (first == null || (first.current == null && f.current != null)) {
                    first = f;
                }
            }
            if (!ackNow && first == null) {
                first = mailboxFeedFor(topic);
            }
            if (!ackNow) {
                if (first == null) {
                    ackNow = true;
                } else if (first.current == null && !first.isMailbox()) {
                    ackNow = true;
                } else {
                    first.pending.add(publish);
                    target = first;
                }
            }
        }
        for (final CompletableFuture<Mqtt5Publish> r : readersToComplete) {
            r.complete(publish);
        }
        if (ackNow) {
            acknowledge(publish);
            return;
        }
        pump(target);
    }

    /**
     * A message of the device's own mailbox (inbox, event) that no feed expects: it was handed just before an
     * unsubscribe took effect. It must not be acknowledged, so it waits in the mailbox feed for the next observation.
     * Called under the lock.
     */
    private @Nullable Feed mailboxFeedFor(final String topic) {
        final ParsedTopic parsed = RtmTopics.parse(topic);
        if (!parsed.isValid() || !uid.equals(parsed.id())) {
            return null;
        }
        if (parsed.family() == TopicFamily.INBOX) {
            return feeds.computeIfAbsent(RtmTopics.inboxFilter(uid), f -> new Feed(f, TopicFamily.INBOX));
        }
        if (parsed.family() == TopicFamily.EVENT) {
            return feeds.computeIfAbsent(RtmTopics.event(uid), f -> new Feed(f, TopicFamily.EVENT));
        }
        return null;
    }

    private static void acknowledge(final Mqtt5Publish publish) {
        if (publish.getQos() != MqttQos.AT_MOST_ONCE) {
            try {
                publish.acknowledge();
            } catch (final IllegalStateException alreadyAcknowledged) {
                log.trace("Message on {} already acknowledged", publish.getTopic());
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------- ending

    /** The sinks of every observation, for ending them; the feeds are emptied (nothing is acknowledged). */
    List<Feed.Sink> takeSinks() {
        final List<Feed.Sink> sinks = new ArrayList<>();
        synchronized (this) {
            for (final Feed f : feeds.values()) {
                if (f.current != null) {
                    sinks.add(f.current);
                    f.current = null;
                }
                f.readers.forEach(r -> r.complete(null));
                f.readers.clear();
            }
            feeds.clear();
        }
        return sinks;
    }

    /** How many observations the session has now. */
    public int observations() {
        synchronized (this) {
            return observationsLocked();
        }
    }

    private int observationsLocked() {
        int n = 0;
        for (final Feed f : feeds.values()) {
            if (f.current != null) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "DeviceSession{" + uid + (secure ? " dtls" : " udp") + " ka=" + keepAliveMillis + "ms}";
    }
}
