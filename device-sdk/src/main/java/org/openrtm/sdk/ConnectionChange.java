package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.util.Objects;

/**
 * One change of a client's {@link ConnectionState}, as told to a {@link ConnectionListener}. Immutable.
 */
public final class ConnectionChange {

    private final ConnectionState previous;
    private final ConnectionState state;
    private final ConnectionChangeReason reason;
    private final int reasonCode;
    private final String detail;
    private final boolean sessionResumed;

    /**
     * @param previous       the state before
     * @param state          the state now
     * @param reason         why
     * @param reasonCode     the MQTT reason code behind the change (CONNACK or DISCONNECT), or -1 if there was none
     * @param detail         the server's reason string, or a description of the local cause; may be null
     * @param sessionResumed for {@link ConnectionState#CONNECTED}: whether the server still had the session
     */
    public ConnectionChange(
            final @NotNull ConnectionState previous,
            final @NotNull ConnectionState state,
            final @NotNull ConnectionChangeReason reason,
            final int reasonCode,
            final @Nullable String detail,
            final boolean sessionResumed) {
        this.previous = Objects.requireNonNull(previous, "previous");
        this.state = Objects.requireNonNull(state, "state");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.reasonCode = reasonCode;
        this.detail = detail;
        this.sessionResumed = sessionResumed;
    }

    /** The state before this change. */
    public @NotNull ConnectionState previous() {
        return previous;
    }

    /** The state now. */
    public @NotNull ConnectionState state() {
        return state;
    }

    /** Why the state changed. */
    public @NotNull ConnectionChangeReason reason() {
        return reason;
    }

    /** The MQTT 5 reason code of the CONNACK or DISCONNECT behind the change, or -1 if none was involved. */
    public int reasonCode() {
        return reasonCode;
    }

    /** The server's reason string, or a description of a local cause (such as an I/O error); null if none. */
    public @Nullable String detail() {
        return detail;
    }

    /**
     * For a change to {@link ConnectionState#CONNECTED}: whether the server resumed the previous MQTT session (so
     * messages it had queued for this client are delivered). False otherwise.
     */
    public boolean sessionResumed() {
        return sessionResumed;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectionChange)) {
            return false;
        }
        final ConnectionChange that = (ConnectionChange) o;
        return reasonCode == that.reasonCode && sessionResumed == that.sessionResumed && previous == that.previous
                && state == that.state && reason == that.reason && Objects.equals(detail, that.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(previous, state, reason, reasonCode, detail, sessionResumed);
    }

    @Override
    public String toString() {
        return previous + " -> " + state + " (" + reason + (reasonCode >= 0 ? String.format(", 0x%02X", reasonCode) : "")
                + (detail != null ? ", " + detail : "") + (sessionResumed ? ", session resumed" : "") + ")";
    }
}
