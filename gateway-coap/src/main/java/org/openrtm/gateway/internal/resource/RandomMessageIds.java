package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.network.MessageIdProvider;
import org.jetbrains.annotations.NotNull;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Message ids for the gateway's own confirmable messages (notifications) that an off-path attacker cannot predict:
 * each one drawn from a cryptographic random source, never one still in use towards the same peer within
 * EXCHANGE_LIFETIME (RFC 7252 section 4.4: the peer would take a reused id for a duplicate and acknowledge it without
 * reading it). Californium's own provider counts up from a random start, so one guessed id gives away the next ones.
 * An empty ACK carries nothing but the message id: without DTLS, its random bits are what a spoofer has to guess.
 *
 * <p>Ids are drawn below Californium's multicast range ({@code COAP.MULTICAST_BASE_MID}, 65,000 by default): the
 * endpoint silently drops an empty ACK whose id lies in that range, so a notification sent with such an id is never
 * acknowledged, times out and ends the device's observation (one notification in 120 did, before this bound).
 * Thread-safe: the map is concurrent, each peer's ids are guarded by their own monitor.
 */
public final class RandomMessageIds implements MessageIdProvider {

    /** All 16-bit ids: the bound when the endpoint reserves none for multicast. */
    static final int ALL_MIDS = 1 << 16;
    private static final int SWEEP_EVERY = 1024;

    private final SecureRandom random = new SecureRandom();
    private final int bound;
    private final long lifetimeNanos;
    private final LongSupplier clock;
    private final Map<InetSocketAddress, Peer> peers = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();

    /**
     * @param lifetimeMillis how long an id stays in use towards its peer (Californium's EXCHANGE_LIFETIME)
     * @param multicastBase  the first id of the endpoint's multicast range (Californium's MULTICAST_BASE_MID; 0 or
     *                       less: none), where ids are never drawn
     */
    public RandomMessageIds(final long lifetimeMillis, final int multicastBase) {
        this(lifetimeMillis, multicastBase, System::nanoTime);
    }

    /** With a clock of nanoseconds, for tests. */
    RandomMessageIds(final long lifetimeMillis, final int multicastBase, final @NotNull LongSupplier nanoClock) {
        this.bound = multicastBase > 0 && multicastBase < ALL_MIDS ? multicastBase : ALL_MIDS;
        this.lifetimeNanos = lifetimeMillis * 1_000_000L;
        this.clock = nanoClock;
    }

    @Override
    public int getNextMessageId(final InetSocketAddress destination) {
        final long now = clock.getAsLong();
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        while (true) {
            final Peer peer = peers.computeIfAbsent(destination, d -> new Peer());
            synchronized (peer) {
                if (!peer.removed) {
                    return next(peer, destination, now);
                }
            }
        }
    }

    /** Drops the peers whose ids have all expired (a peer is marked under its monitor, so none is lost in use). */
    private void sweep(final long now) {
        peers.forEach((address, peer) -> {
            synchronized (peer) {
                if (peer.expire(now)) {
                    peer.removed = true;
                    peers.remove(address, peer);
                }
            }
        });
    }

    /** Draws an id for a peer; called under the peer's monitor. */
    private int next(final Peer peer, final InetSocketAddress destination, final long now) {
        peer.expire(now);
        if (peer.used.size() >= bound / 2) {
            throw new IllegalStateException("no free message id towards " + destination + ": " + peer.used.size()
                    + " in use");
        }
        int mid;
        do {
            mid = random.nextInt(bound);
        } while (peer.used.containsKey(mid));
        peer.used.put(mid, now + lifetimeNanos);
        return mid;
    }

    /**
     * Whether {@code mid} was given out towards {@code peer} within the lifetime: an empty ACK or RST with such an id
     * that matches no exchange is a late duplicate of the device's own (its first copy completed the exchange), not a
     * guess.
     */
    public boolean wasIssued(final @NotNull InetSocketAddress peer, final int mid) {
        final Peer p = peers.get(peer);
        if (p == null) {
            return false;
        }
        synchronized (p) {
            return p.used.containsKey(mid);
        }
    }

    /** Peers with ids in use now. */
    int peers() {
        return peers.size();
    }

    /** The ids in use towards one peer, oldest first (every id lives equally long, so that is expiry order). */
    private static final class Peer {
        private final LinkedHashMap<Integer, Long> used = new LinkedHashMap<>();
        private boolean removed;

        /** Forgets expired ids; true when none is left. */
        synchronized boolean expire(final long now) {
            final Iterator<Long> it = used.values().iterator();
            while (it.hasNext()) {
                if (it.next() - now > 0) {
                    break;
                }
                it.remove();
            }
            return used.isEmpty();
        }
    }

    @Override
    public @NotNull String toString() {
        return "RandomMessageIds{" + peers.size() + " peers}";
    }
}
