package org.openrtm.sdk.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The operations waiting to be sent, in acceptance order, and all unfinished ones (waiting, or sent and not yet
 * answered), counted against the capacity. Operations whose connection dropped before their answer go back to their
 * original place, so retries keep the send order. Not thread-safe: engine thread only.
 */
final class Outbox {

    private final int capacity;
    private final TreeSet<Pending> waiting = new TreeSet<>(Comparator.comparingLong(p -> p.seq));
    private final LinkedHashSet<Pending> unfinished = new LinkedHashSet<>();

    Outbox(final int capacity) {
        this.capacity = capacity;
    }

    /**
     * Accepts a new operation into the queue.
     *
     * @return false if {@code capacity} operations are unfinished already
     */
    boolean accept(final Pending p) {
        if (unfinished.size() >= capacity) {
            return false;
        }
        unfinished.add(p);
        waiting.add(p);
        return true;
    }

    /** The next operation to send, removed from the queue; null if none waits. */
    Pending next() {
        return waiting.pollFirst();
    }

    /** Puts unfinished operations back to be sent again, each in its original place. */
    void putBack(final Collection<Pending> ps) {
        for (final Pending p : ps) {
            putBack(p);
        }
    }

    /** Puts one unfinished operation back (its connection dropped, or it could not be sent right now). */
    void putBack(final Pending p) {
        if (!p.done && unfinished.contains(p)) {
            waiting.add(p);
        }
    }

    /** An operation finished: it leaves the queue (if there) and frees its place. */
    void finished(final Pending p) {
        waiting.remove(p);
        unfinished.remove(p);
    }

    /** Whether the operation waits in the queue. */
    boolean isWaiting(final Pending p) {
        return waiting.contains(p);
    }

    int waitingCount() {
        return waiting.size();
    }

    int unfinishedCount() {
        return unfinished.size();
    }

    int capacity() {
        return capacity;
    }

    /** Every unfinished operation, in acceptance order (a copy). */
    List<Pending> unfinished() {
        final List<Pending> all = new ArrayList<>(unfinished);
        all.sort(Comparator.comparingLong(p -> p.seq));
        return all;
    }
}
