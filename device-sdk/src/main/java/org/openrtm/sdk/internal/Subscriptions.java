package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.FilterMatch;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.protocol.TopicFamily;
import org.openrtm.sdk.ForbiddenException;
import org.openrtm.sdk.InvalidRequestException;
import org.openrtm.sdk.LimitExceededException;
import org.openrtm.sdk.RtmErrorCode;
import org.openrtm.sdk.RtmException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The subscriptions the features (channels, presence, broadcasts) hold in the broker, and the SUBSCRIBE/UNSUBSCRIBE
 * operations that change them. Engine thread only.
 *
 * <p>{@link #confirmed()} is what the broker has as far as the client knows (every acknowledged operation applied in
 * order). Operations wait in a queue while the client is not connected and go out in order once it is; one whose
 * connection dropped before its acknowledgement is sent again (subscribing and unsubscribing are idempotent). After a
 * reconnect with a fresh session the engine subscribes the confirmed set again first ({@link #resubscription()}).
 *
 * <p>A SUBSCRIBE is all or nothing: when the broker refuses any of its filters, the filters it granted that were not
 * held before are unsubscribed again, and the operation fails with the refusal.
 */
final class Subscriptions {

    private static final Logger LOG = Logger.getLogger(Subscriptions.class.getName());

    /** One subscription: a filter (QoS 1) and whether the broker should not send this client its own publishes. */
    static final class Sub {
        final String filter;
        final boolean noLocal;

        Sub(final String filter, final boolean noLocal) {
            this.filter = filter;
            this.noLocal = noLocal;
        }

        @Override
        public String toString() {
            return filter + (noLocal ? " (no local)" : "");
        }
    }

    /** A SUBSCRIBE or UNSUBSCRIBE the client wants to happen. */
    static final class Op {
        final long seq;
        final boolean subscribe;
        final List<Sub> subs;
        /** Told the outcome once, on the engine thread: null for success. */
        final Consumer<RtmException> done;
        /** The outcome was told already (timeout, logout): a late answer is still applied, a granted join undone. */
        boolean told;
        Link link;

        Op(final long seq, final boolean subscribe, final List<Sub> subs, final Consumer<RtmException> done) {
            this.seq = seq;
            this.subscribe = subscribe;
            this.subs = List.copyOf(subs);
            this.done = done;
        }

        String[] filters() {
            final String[] f = new String[subs.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = subs.get(i).filter;
            }
            return f;
        }

        @Override
        public String toString() {
            return (subscribe ? "SUBSCRIBE " : "UNSUBSCRIBE ") + subs;
        }
    }

    /** How the features learn that a confirmed subscription is gone without being asked (refused at a resubscription). */
    interface LossListener {
        void lost(String filter, RtmException why);
    }

    private final Map<String, Sub> confirmed = new LinkedHashMap<>();
    private final TreeSet<Op> queue = new TreeSet<>(Comparator.comparingLong(o -> o.seq));
    private final Set<Op> inFlight = new LinkedHashSet<>();
    private final LossListener losses;
    private long seqs;

    Subscriptions(final LossListener losses) {
        this.losses = losses;
    }

    /** Queues an operation; it is sent by the next {@link #pump(Link)} on a ready connection. */
    Op submit(final boolean subscribe, final List<Sub> subs, final Consumer<RtmException> done) {
        final Op op = new Op(++seqs, subscribe, subs, done);
        queue.add(op);
        return op;
    }

    /** Whether the operation still waits to be sent (it may then be dropped). */
    boolean isWaiting(final Op op) {
        return queue.contains(op);
    }

    /** Drops an operation that was not sent yet. */
    void drop(final Op op) {
        queue.remove(op);
    }

    /** What the broker holds, as far as the client knows. */
    Map<String, Sub> confirmed() {
        return confirmed;
    }

    /** The subscriptions to make again on a fresh session, in the order they were made. */
    List<Sub> resubscription() {
        return new ArrayList<>(confirmed.values());
    }

    /**
     * The broker answered the resubscription that rode along with the login's SUBSCRIBE. Refused filters are gone.
     *
     * @param subs   the resubscribed filters
     * @param codes  their SUBACK reason codes
     * @param reason the SUBACK's reason string, or null
     */
    void resubscribed(final List<Sub> subs, final int[] codes, final @Nullable String reason) {
        for (int i = 0; i < subs.size() && i < codes.length; i++) {
            if (codes[i] >= 0x80) {
                final Sub s = subs.get(i);
                confirmed.remove(s.filter);
                final RtmException why = refusal(codes[i], reason, s.filter);
                LOG.log(Level.WARNING, "the server refused to restore the subscription to {0}: {1}",
                        new Object[] {s.filter, why.getMessage()});
                losses.lost(s.filter, why);
            }
        }
    }

    /** Sends what waits, in order, on a ready connection. */
    void pump(final Link l) {
        while (!queue.isEmpty()) {
            final Op op = queue.first();
            try {
                if (op.subscribe) {
                    l.subscribe(op.subs, (codes, reason) -> answered(l, op, codes, reason));
                } else {
                    l.unsubscribe(op.filters(), (codes, reason) -> answered(l, op, codes, reason));
                }
            } catch (final MqttException | RuntimeException e) {
                LOG.log(Level.FINE, "{0} not sent on {1}, waiting for the connection: {2}", new Object[] {op, l, e});
                return;
            }
            queue.pollFirst();
            op.link = l;
            inFlight.add(op);
        }
    }

    /** A connection ended: its unanswered operations are sent again on the next one, in their places. */
    void linkEnded(final Link l) {
        for (final Op op : new ArrayList<>(inFlight)) {
            if (op.link == l) {
                inFlight.remove(op);
                op.link = null;
                queue.add(op);
            }
        }
    }

    /** Logout, abort, failed login: the broker's session is gone; every operation fails. */
    void clear(final RtmException why) {
        final List<Op> all = new ArrayList<>(queue);
        all.addAll(inFlight);
        queue.clear();
        inFlight.clear();
        confirmed.clear();
        for (final Op op : all) {
            tell(op, why);
        }
    }

    /** Tells the outcome now (timeout); a later answer is applied and, if it granted something, undone. */
    void tellEarly(final Op op, final RtmException why) {
        tell(op, why);
    }

    private void tell(final Op op, final @Nullable RtmException outcome) {
        if (!op.told) {
            op.told = true;
            op.done.accept(outcome);
        }
    }

    /** The SUBACK or UNSUBACK of an operation. */
    void answered(final Link l, final Op op, final int[] codes, final @Nullable String reason) {
        if (!inFlight.remove(op)) {
            return; // its connection ended before; it was queued again
        }
        if (!op.subscribe) {
            RtmException error = null;
            for (int i = 0; i < op.subs.size(); i++) {
                final int code = i < codes.length ? codes[i] : 0;
                if (code >= 0x80) {
                    error = error != null ? error : refusal(code, reason, op.subs.get(i).filter);
                } else {
                    confirmed.remove(op.subs.get(i).filter);
                }
            }
            tell(op, error);
            return;
        }
        RtmException error = null;
        for (int i = 0; i < op.subs.size(); i++) {
            final int code = i < codes.length ? codes[i] : 0x80;
            if (code >= 0x80 && error == null) {
                error = refusal(code, reason, op.subs.get(i).filter);
            }
        }
        if (error == null && !op.told) {
            for (final Sub s : op.subs) {
                confirmed.put(s.filter, s);
            }
            tell(op, null);
            return;
        }
        // refused in part, or nobody waits for it any more: undo what it added
        final List<Sub> undo = new ArrayList<>();
        for (int i = 0; i < op.subs.size(); i++) {
            final Sub s = op.subs.get(i);
            final int code = i < codes.length ? codes[i] : 0x80;
            if (code < 0x80 && !confirmed.containsKey(s.filter)) {
                undo.add(s);
            }
        }
        if (!undo.isEmpty()) {
            LOG.log(Level.FINE, "undoing {0}", undo);
            submit(false, undo, e -> { });
            pump(l);
        }
        tell(op, error);
    }

    private static boolean covers(final String filter, final TopicFamily family) {
        for (final FilterMatch m : RtmTopics.analyzeFilter(filter).matches()) {
            if (m.family() == family) {
                return true;
            }
        }
        return false;
    }

    /** The exception for a refused subscription (SUBACK or UNSUBACK reason code 0x80 or above). */
    static RtmException refusal(final int code, final @Nullable String reason, final String filter) {
        final String message = (reason != null && !reason.isEmpty() ? Wording.serverReason(reason)
                : "the server refused " + Wording.thing(filter))
                + String.format(" [SUBACK 0x%02X]", code);
        switch (code) {
            case 0x97:
                final LimitExceededException.Limit limit = covers(filter, TopicFamily.PRESENCE)
                        ? LimitExceededException.Limit.PRESENCE_SUBSCRIPTIONS
                        : covers(filter, TopicFamily.CHANNEL_MSG) ? LimitExceededException.Limit.CHANNELS_JOINED
                        : LimitExceededException.Limit.OTHER;
                return new LimitExceededException(limit, message);
            case 0x87:
                return new ForbiddenException(RtmErrorCode.FORBIDDEN, message);
            case 0x8F:
                return new InvalidRequestException(RtmErrorCode.INVALID, message);
            default:
                return new RtmException(RtmErrorCode.UNKNOWN, message, null);
        }
    }
}
