package org.openrtm.bench.load;

import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many simulated CoAP devices for the gateway benchmark: one non-blocking UDP socket per device (so the gateway sees
 * each device at its own address, as with real devices), all read by one selector thread, with CoAP messages written
 * and parsed by Californium's UDP serializer and parser. Thousands of devices cost one thread, not thousands.
 *
 * <p>Each device speaks the gateway's session protocol (gateway-coap/README.md): log in, observe its inbox (notifications
 * carry the bare body: {@code Accept: application/octet-stream}), post, heartbeat, log out. Confirmable requests are
 * retransmitted as RFC 7252 says (ACK_TIMEOUT 2 s, doubled, at most 4 times), so a datagram dropped by a full socket
 * buffer costs latency, not a message. As RFC 7252 asks of a client (NSTART 1, section 4.7), a device has one request
 * outstanding at a time: later ones wait, in order, until it is answered or given up, so that a device's messages reach
 * the gateway in the order it sent them (CoAP keeps no order among concurrent requests) and their latency includes the
 * wait. Every confirmable notification is acknowledged; a repeated one (same message id)
 * is acknowledged again but handed on once. Thread-safe: requests may be sent from any thread; notifications are
 * handed to the {@link NotificationHandler} on the selector thread and must be handled quickly.
 */
public final class CoapFleet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoapFleet.class);
    private static final long ACK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_RETRANSMIT = 4;
    private static final int RECENT_MIDS = 16;

    /** Receives notifications of observed inboxes. */
    @FunctionalInterface
    public interface NotificationHandler {
        /**
         * A notification arrived.
         *
         * @param device       the device it came to
         * @param payload      its body
         * @param arrivalNanos when it arrived ({@link System#nanoTime()})
         */
        void onNotification(@NotNull Device device, byte @NotNull [] payload, long arrivalNanos);
    }

    private final InetSocketAddress gateway;
    private final Selector selector;
    private final List<Device> devices = new ArrayList<>();
    private final UdpDataSerializer serializer = new UdpDataSerializer();
    private final UdpDataParser parser = new UdpDataParser();
    private final ScheduledExecutorService timer;
    private final Thread io;
    private final LongAdder retransmissions = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private volatile NotificationHandler handler = (d, p, t) -> { };
    private volatile boolean closed;

    /**
     * Opens a socket per device (not logged in yet) and starts the selector thread.
     *
     * @param gateway the gateway's CoAP address
     * @param uids    the devices' uids
     * @throws IOException if a socket cannot be opened
     */
    public CoapFleet(final @NotNull InetSocketAddress gateway, final @NotNull List<String> uids) throws IOException {
        this.gateway = gateway;
        this.selector = Selector.open();
        try {
            for (int i = 0; i < uids.size(); i++) {
                final DatagramChannel ch = DatagramChannel.open();
                ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ch.configureBlocking(false);
                final Device d = new Device(uids.get(i), i, ch);
                ch.register(selector, SelectionKey.OP_READ, d);
                devices.add(d);
            }
        } catch (final IOException | RuntimeException e) {
            closeChannels();
            selector.close();
            throw e;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "coap-fleet-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::retransmit, 50, 50, TimeUnit.MILLISECONDS);
        this.io = new Thread(this::readLoop, "coap-fleet-io");
        io.setDaemon(true);
        io.start();
    }

    /** The devices, in the order of their uids. */
    public @NotNull List<Device> devices() {
        return devices;
    }

    /** Sets where notifications go (replacing the previous handler). */
    public void onNotification(final @NotNull NotificationHandler h) {
        this.handler = h;
    }

    /** Confirmable requests sent again because no acknowledgement came in time, since start. */
    public long retransmissions() {
        return retransmissions.sum();
    }

    /** Requests that got no answer after every retransmission, since start. */
    public long timeouts() {
        return timeouts.sum();
    }

    /** Datagrams from the gateway that did not parse as CoAP, since start. */
    public long malformed() {
        return malformed.sum();
    }

    /** An outstanding confirmable request. */
    private static final class Pending {
        final byte[] datagram;
        final int mid;
        final Token token;
        final CompletableFuture<Response> result = new CompletableFuture<>();
        volatile boolean acknowledged;
        int tries;
        long nextNanos;

        Pending(final byte[] datagram, final int mid, final Token token) {
            this.datagram = datagram;
            this.mid = mid;
            this.token = token;
            this.nextNanos = System.nanoTime() + ACK_TIMEOUT_NANOS;
        }
    }

    /** One simulated device: its socket, its session id, its outstanding requests. */
    public final class Device {
        private final String uid;
        private final int index;
        private final DatagramChannel channel;
        private final AtomicInteger mids;
        private final AtomicInteger tokens = new AtomicInteger();
        private final Map<Token, Pending> pending = new ConcurrentHashMap<>();
        /** Requests waiting for the outstanding one to end (NSTART 1); guarded by the device's monitor. */
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private final int[] recent = new int[RECENT_MIDS];
        private int recentNext;
        private volatile @Nullable String sid;
        private volatile @Nullable Token observation;

        Device(final String uid, final int index, final DatagramChannel channel) {
            this.uid = uid;
            this.index = index;
            this.channel = channel;
            this.mids = new AtomicInteger(index * 7919 & 0xFFFF);
            java.util.Arrays.fill(recent, -1);
        }

        /** The device's uid. */
        public @NotNull String uid() {
            return uid;
        }

        /** Its position in the fleet. */
        public int index() {
            return index;
        }

        /** Whether it holds a session. */
        public boolean loggedIn() {
            return sid != null;
        }

        /**
         * Logs in: {@code POST /session?u=UID&ka=SECONDS} with the token.
         *
         * @return the response (2.01 on success, when the session id is taken)
         */
        public @NotNull CompletableFuture<Response> login(final @NotNull String token, final long keepAliveSeconds) {
            final Request r = Request.newPost();
            r.getOptions().setUriPath("session").addUriQuery("u=" + uid).addUriQuery("ka=" + keepAliveSeconds);
            r.setPayload(token.getBytes(StandardCharsets.UTF_8));
            return send(r).thenApply(resp -> {
                if (resp.getCode() == CoAP.ResponseCode.CREATED && resp.getOptions().getLocationPath().size() == 2) {
                    sid = resp.getOptions().getLocationPath().get(1);
                }
                return resp;
            });
        }

        /** Observes the own inbox with bare bodies as notifications; completes with the registration's response. */
        public @NotNull CompletableFuture<Response> observeInbox() {
            final Request r = Request.newGet();
            r.setObserve();
            r.getOptions().setUriPath("rtm/user/" + uid + "/inbox").addUriQuery("s=" + sid)
                    .setAccept(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            final CompletableFuture<Response> f = send(r);
            observation = r.getToken();
            return f;
        }

        /**
         * Publishes through the gateway: {@code POST /<path>?s=SID}, confirmable (QoS 1 on the MQTT side).
         *
         * @param path    the topic levels, e.g. {@code rtm/user/bob/inbox}
         * @param payload the body
         * @return the response (2.04 delivered, 2.01 cached, or an error code)
         */
        public @NotNull CompletableFuture<Response> post(final @NotNull String path, final byte @NotNull [] payload) {
            final Request r = Request.newPost();
            r.getOptions().setUriPath(path).addUriQuery("s=" + sid).setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            r.setPayload(payload);
            return send(r);
        }

        /** A heartbeat: {@code POST /session/SID}; 2.04 while the session is held. */
        public @NotNull CompletableFuture<Response> heartbeat() {
            final Request r = Request.newPost();
            r.getOptions().setUriPath("session/" + sid);
            return send(r);
        }

        /** Logs out: {@code DELETE /session/SID}. */
        public @NotNull CompletableFuture<Response> logout() {
            final Request r = Request.newDelete();
            r.getOptions().setUriPath("session/" + sid);
            return send(r).whenComplete((resp, e) -> sid = null);
        }

        private CompletableFuture<Response> send(final Request r) {
            final int mid = mids.getAndIncrement() & 0xFFFF;
            final int t = tokens.incrementAndGet();
            final Token token = new Token(new byte[] {(byte) (index >> 24), (byte) (index >> 16), (byte) (index >> 8),
                (byte) index, (byte) (t >> 24), (byte) (t >> 16), (byte) (t >> 8), (byte) t});
            r.setType(CoAP.Type.CON);
            r.setMID(mid);
            r.setToken(token);
            final Pending p = new Pending(serializer.getByteArray(r), mid, token);
            synchronized (this) {
                if (!pending.isEmpty() || !waiting.isEmpty()) {
                    waiting.add(p);
                    return p.result;
                }
                pending.put(token, p);
            }
            transmit(p.datagram);
            return p.result;
        }

        /** The fleet closed: the outstanding request and the waiting ones fail, so that nobody waits for them. */
        void abandon() {
            final List<Pending> ended = new ArrayList<>();
            synchronized (this) {
                ended.addAll(pending.values());
                ended.addAll(waiting);
                pending.clear();
                waiting.clear();
            }
            for (final Pending p : ended) {
                p.result.completeExceptionally(new IllegalStateException(uid + ": the fleet was closed"));
            }
        }

        /** The outstanding request ended (answered or given up): the next waiting one goes out. */
        private void nextRequest() {
            final Pending p;
            synchronized (this) {
                if (!pending.isEmpty()) {
                    return;
                }
                p = waiting.poll();
                if (p == null) {
                    return;
                }
                p.nextNanos = System.nanoTime() + ACK_TIMEOUT_NANOS;
                pending.put(p.token, p);
            }
            transmit(p.datagram);
        }

        private void transmit(final byte[] datagram) {
            try {
                channel.send(ByteBuffer.wrap(datagram), gateway);
            } catch (final IOException e) {
                log.debug("{}: send failed: {}", uid, e.toString()); // retransmitted later
            }
        }

        /** Handles a datagram from the gateway (selector thread). */
        void received(final Message m, final long now) {
            if (m instanceof EmptyMessage) {
                if (m.getType() == CoAP.Type.ACK) {
                    for (final Pending p : pending.values()) {
                        if (p.mid == m.getMID()) {
                            p.acknowledged = true; // a separate response follows
                        }
                    }
                }
                return;
            }
            if (!(m instanceof Response)) {
                return;
            }
            final Response resp = (Response) m;
            final boolean confirmable = resp.getType() == CoAP.Type.CON;
            if (confirmable) {
                // an empty ACK is the 4-byte header alone: version 1, type ACK, no token, code 0.00, the message id
                transmit(new byte[] {0x60, 0, (byte) (resp.getMID() >> 8), (byte) resp.getMID()});
                if (seenBefore(resp.getMID())) {
                    return; // our acknowledgement was lost or late: acknowledged again, handed on once
                }
            }
            final Pending p = pending.remove(resp.getToken());
            if (p != null) {
                p.result.complete(resp);
                nextRequest();
                return;
            }
            if (resp.getToken().equals(observation) && resp.getOptions().hasObserve() && resp.getCode().isSuccess()) {
                handler.onNotification(this, resp.getPayload() == null ? new byte[0] : resp.getPayload(), now);
            }
        }

        private boolean seenBefore(final int mid) {
            for (final int r : recent) {
                if (r == mid) {
                    return true;
                }
            }
            recent[recentNext] = mid;
            recentNext = (recentNext + 1) % RECENT_MIDS;
            return false;
        }

        void retransmitDue(final long now) {
            boolean ended = false;
            for (final Iterator<Map.Entry<Token, Pending>> it = pending.entrySet().iterator(); it.hasNext();) {
                final Pending p = it.next().getValue();
                if (p.acknowledged || now < p.nextNanos) {
                    continue;
                }
                if (p.tries >= MAX_RETRANSMIT) {
                    it.remove();
                    timeouts.increment();
                    p.result.completeExceptionally(new TimeoutException(uid + ": no answer after " + MAX_RETRANSMIT
                            + " retransmissions"));
                    ended = true;
                    continue;
                }
                p.tries++;
                p.nextNanos = now + (ACK_TIMEOUT_NANOS << p.tries);
                retransmissions.increment();
                transmit(p.datagram);
            }
            if (ended) {
                nextRequest();
            }
        }
    }

    private void retransmit() {
        try {
            final long now = System.nanoTime();
            for (final Device d : devices) {
                d.retransmitDue(now);
            }
        } catch (final RuntimeException e) {
            log.warn("retransmission sweep failed: {}", e.toString());
        }
    }

    private void readLoop() {
        final ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (!closed) {
            try {
                selector.select(100);
                final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    final SelectionKey k = keys.next();
                    keys.remove();
                    if (!k.isValid() || !k.isReadable()) {
                        continue;
                    }
                    final Device d = (Device) k.attachment();
                    while (true) {
                        buf.clear();
                        if (d.channel.receive(buf) == null) {
                            break;
                        }
                        final long now = System.nanoTime();
                        buf.flip();
                        final byte[] bytes = new byte[buf.remaining()];
                        buf.get(bytes);
                        final Message m;
                        try {
                            m = parser.parseMessage(bytes);
                        } catch (final RuntimeException e) {
                            malformed.increment();
                            continue;
                        }
                        d.received(m, now);
                    }
                }
            } catch (final IOException | RuntimeException e) {
                if (!closed) {
                    log.warn("CoAP fleet receive loop: {}", e.toString());
                }
            }
        }
    }

    private void closeChannels() {
        for (final Device d : devices) {
            try {
                d.channel.close();
            } catch (final IOException e) {
                log.debug("closing a device socket: {}", e.toString());
            }
        }
    }

    /** Stops the threads and closes every socket (sessions the devices still hold end by the gateway's keep-alive). */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        selector.wakeup();
        try {
            io.join(2000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeChannels();
        for (final Device d : devices) {
            d.abandon();
        }
        try {
            selector.close();
        } catch (final IOException e) {
            log.debug("closing the selector: {}", e.toString());
        }
    }
}
