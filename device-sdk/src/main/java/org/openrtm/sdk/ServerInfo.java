package org.openrtm.sdk;

import org.jetbrains.annotations.NotNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the server says about itself and this client ({@code server.info}). Immutable.
 */
public final class ServerInfo {

    private final String version;
    private final String uid;
    private final String role;
    private final String via;
    private final Instant serverTime;
    private final Limits limits;

    /**
     * @param version    the server's version
     * @param uid        this client's uid, as the server sees it
     * @param role       this client's role ({@code user}, {@code service}, {@code admin})
     * @param via        how this client is attached ({@code mqtt}, {@code coap})
     * @param serverTime the server's clock when it answered
     * @param limits     the limits in force
     */
    public ServerInfo(final @NotNull String version, final @NotNull String uid, final @NotNull String role,
                      final @NotNull String via, final @NotNull Instant serverTime, final @NotNull Limits limits) {
        this.version = Objects.requireNonNull(version, "version");
        this.uid = Objects.requireNonNull(uid, "uid");
        this.role = Objects.requireNonNull(role, "role");
        this.via = Objects.requireNonNull(via, "via");
        this.serverTime = Objects.requireNonNull(serverTime, "serverTime");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The server's version. */
    public @NotNull String version() {
        return version;
    }

    /** This client's uid as the server sees it. */
    public @NotNull String uid() {
        return uid;
    }

    /** This client's role: {@code user}, {@code service} or {@code admin}. */
    public @NotNull String role() {
        return role;
    }

    /** How this client is attached: {@code mqtt} or {@code coap}. */
    public @NotNull String via() {
        return via;
    }

    /** The server's clock when it answered (compare with the local clock to see drift). */
    public @NotNull Instant serverTime() {
        return serverTime;
    }

    /** The limits in force. */
    public @NotNull Limits limits() {
        return limits;
    }

    @Override
    public String toString() {
        return "ServerInfo{version=" + version + ", uid=" + uid + ", role=" + role + ", via=" + via + ", time=" + serverTime
                + ", " + limits + '}';
    }

    /** The server's limits. Immutable. */
    public static final class Limits {
        private final int maxPayloadBytes;
        private final int ratePerSecond;
        private final int rateBurst;
        private final int offlineMaxMessages;
        private final Duration offlineTtl;
        private final Duration dedupWindow;
        private final int maxRecipientList;

        /**
         * @param maxPayloadBytes    largest payload, bytes
         * @param ratePerSecond      sustained publishes per second
         * @param rateBurst          publishes at once after idling
         * @param offlineMaxMessages messages kept per offline recipient
         * @param offlineTtl         longest time a cached message is kept
         * @param dedupWindow        how long a client message id is remembered
         * @param maxRecipientList   most uids in an only/except list
         */
        public Limits(final int maxPayloadBytes, final int ratePerSecond, final int rateBurst, final int offlineMaxMessages,
                      final @NotNull Duration offlineTtl, final @NotNull Duration dedupWindow, final int maxRecipientList) {
            this.maxPayloadBytes = maxPayloadBytes;
            this.ratePerSecond = ratePerSecond;
            this.rateBurst = rateBurst;
            this.offlineMaxMessages = offlineMaxMessages;
            this.offlineTtl = Objects.requireNonNull(offlineTtl, "offlineTtl");
            this.dedupWindow = Objects.requireNonNull(dedupWindow, "dedupWindow");
            this.maxRecipientList = maxRecipientList;
        }

        /** Largest payload of a message, in bytes; larger sends fail with {@link PayloadTooLargeException}. */
        public int maxPayloadBytes() {
            return maxPayloadBytes;
        }

        /** Publishes per second a client may send, sustained; more fail with {@link RateLimitedException}. */
        public int ratePerSecond() {
            return ratePerSecond;
        }

        /** How many publishes a client may send at once after being idle. */
        public int rateBurst() {
            return rateBurst;
        }

        /** Messages kept per offline recipient (the oldest is dropped when full). */
        public int offlineMaxMessages() {
            return offlineMaxMessages;
        }

        /** Longest time a message waits in an offline cache. */
        public @NotNull Duration offlineTtl() {
            return offlineTtl;
        }

        /** How long the server remembers a client message id: retries within it are never delivered twice. */
        public @NotNull Duration dedupWindow() {
            return dedupWindow;
        }

        /** Most uids in a channel message's only/except list. */
        public int maxRecipientList() {
            return maxRecipientList;
        }

        @Override
        public String toString() {
            return "Limits{maxPayloadBytes=" + maxPayloadBytes + ", ratePerSecond=" + ratePerSecond + ", rateBurst="
                    + rateBurst + ", offlineMaxMessages=" + offlineMaxMessages + ", offlineTtl=" + offlineTtl
                    + ", dedupWindow=" + dedupWindow + ", maxRecipientList=" + maxRecipientList + '}';
        }
    }
}
