package org.openrtm.sdk.presence;

import org.jetbrains.annotations.NotNull;

import java.time.Instant;
import java.util.Objects;

/**
 * The online state of a user this client watches: its current state when the subscription is made
 * ({@link #isInitial()}), then each change. Immutable.
 */
public final class PresenceEvent {

    private final String uid;
    private final OnlineState state;
    private final Instant since;
    private final String via;
    private final boolean initial;

    /**
     * @param uid     the user
     * @param state   its state
     * @param since   when it entered that state (server time)
     * @param via     how it is attached: {@code "mqtt"}, or {@code "coap"} for devices behind the CoAP gateway
     * @param initial whether this is the state at subscription time rather than a change
     */
    public PresenceEvent(final @NotNull String uid, final @NotNull OnlineState state, final @NotNull Instant since,
                         final @NotNull String via, final boolean initial) {
        this.uid = Objects.requireNonNull(uid, "uid");
        this.state = Objects.requireNonNull(state, "state");
        this.since = Objects.requireNonNull(since, "since");
        this.via = Objects.requireNonNull(via, "via");
        this.initial = initial;
    }

    /** The user. */
    public @NotNull String uid() {
        return uid;
    }

    /** Its online state. */
    public @NotNull OnlineState state() {
        return state;
    }

    /** When the user entered this state, by the server's clock. */
    public @NotNull Instant since() {
        return since;
    }

    /** How the user is attached: {@code "mqtt"} or {@code "coap"}. */
    public @NotNull String via() {
        return via;
    }

    /**
     * Whether this is the user's state at the moment the subscription was made (the server keeps the last state of
     * every user it has seen), rather than a change that happened afterwards.
     */
    public boolean isInitial() {
        return initial;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PresenceEvent)) {
            return false;
        }
        final PresenceEvent e = (PresenceEvent) o;
        return initial == e.initial && uid.equals(e.uid) && state == e.state && since.equals(e.since) && via.equals(e.via);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uid, state, since, via, initial);
    }

    @Override
    public String toString() {
        return "PresenceEvent{" + uid + " " + state + " since " + since + " via " + via + (initial ? ", initial" : "") + '}';
    }
}
