package org.openrtm.extension.config;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Limits;

import java.time.Duration;
import java.util.List;

/**
 * Every configuration key of the extension, with its default, range and description. {@code docs/configuration.md}
 * is generated from this list (a test keeps the two equal).
 */
public final class Settings {

    // ------------------------------------------------------------------------------------------------ authentication
    public static final Setting<Duration> AUTH_CLOCK_SKEW = Setting.ofDuration("auth.clock-skew",
            Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5),
            "How far a token's exp (and nbf) may be off before the token is refused; for devices with drifting clocks.");

    // --------------------------------------------------------------------------------------------------------- limits
    public static final Setting<Integer> MAX_PAYLOAD_BYTES = Setting.ofInt("limits.max-payload-bytes",
            Limits.MAX_PAYLOAD_BYTES, 1, 268_435_455,
            "Largest payload of a publish under rtm/ (peer, channel, broadcast, call, RPC), in bytes. Larger: too_large.");
    public static final Setting<Integer> RATE_PER_SECOND = Setting.ofInt("limits.rate-per-second",
            Limits.RATE_PER_SECOND, 1, 1_000_000,
            "Publishes per second a client may send, sustained (token bucket refill rate). Over it: rate_limited.");
    public static final Setting<Integer> RATE_BURST = Setting.ofInt("limits.rate-burst",
            Limits.RATE_BURST, 1, 1_000_000,
            "Token bucket size: how many publishes a client may send at once after being idle.");
    public static final Setting<Integer> FLOOD_REFUSALS = Setting.ofInt("limits.flood-refusals",
            300, 0, 1_000_000,
            "A connection whose publishes are refused as rate_limited this many times within limits.flood-window is "
                    + "disconnected with DISCONNECT 0x96 (Message rate too high). 0 turns flood disconnects off.");
    public static final Setting<Duration> FLOOD_WINDOW = Setting.ofDuration("limits.flood-window",
            Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1),
            "The time within which limits.flood-refusals refusals make a connection a flooder.");
    public static final Setting<Duration> FLOOD_BAN = Setting.ofDuration("limits.flood-ban",
            Duration.ofSeconds(30), Duration.ZERO, Duration.ofDays(1),
            "How long a user disconnected for flooding is refused at CONNECT (CONNACK 0x9F, Connection rate "
                    + "exceeded, with the seconds left). 0s: it may reconnect at once.");

    // ------------------------------------------------------------------------------------------------- offline cache
    public static final Setting<Integer> OFFLINE_MAX_MESSAGES = Setting.ofInt("offline.max-messages",
            Limits.OFFLINE_MAX_MESSAGES, 0, 1_000_000,
            "Peer messages kept per offline recipient; the oldest is dropped when full. 0 turns the offline cache off.");
    public static final Setting<Duration> OFFLINE_TTL = Setting.ofDuration("offline.ttl",
            Duration.ofSeconds(Limits.OFFLINE_TTL_SECONDS), Duration.ofSeconds(1), Duration.ofDays(365),
            "Longest time a cached peer message is kept (a shorter Message Expiry Interval wins).");
    public static final Setting<Integer> OFFLINE_MAX_EVENTS = Setting.ofInt("offline.max-events",
            200, 0, 1_000_000,
            "Events (receipts, call states) kept per user while it is not subscribed to its event topic.");
    public static final Setting<Integer> OFFLINE_MAX_WAITING_ONLINE = Setting.ofInt("offline.max-waiting-online",
            10_000, 0, 1_000_000,
            "Peer messages kept per recipient that is connected and subscribed but has a full window (a burst of many "
                    + "senders, a slow device); they follow in order as acknowledgements come. Beyond it a peer message "
                    + "is refused busy (0x97), never an accepted one dropped. Below offline.max-messages, that is used.");
    public static final Setting<Integer> CLIENT_QUEUE = Setting.ofInt("limits.client-queue",
            5_000, 1_000, 1_000_000,
            "Messages HiveMQ queues per client, the unacknowledged ones included (channel messages, broadcasts, "
                    + "presence and attribute changes); what does not fit is discarded by HiveMQ without a word. "
                    + "HiveMQ's own default is 1,000, which a burst of 60 channel members sending 20 messages each "
                    + "overran. Peer messages and events never need more than offline.window of it.");
    public static final Setting<Integer> OFFLINE_WINDOW = Setting.ofInt("offline.window",
            200, 1, 900,
            "Messages per user and mailbox (inbox, events) handed to the user's MQTT session and not yet acknowledged; "
                    + "the rest wait in the offline cache and follow as acknowledgements come. Keeps them within HiveMQ's "
                    + "queue per client (limits.client-queue, in-flight ones included), which discards what does not fit.");

    // ---------------------------------------------------------------------------------------------- de-duplication
    public static final Setting<Duration> DEDUP_WINDOW = Setting.ofDuration("dedup.window",
            Duration.ofSeconds(Limits.DEDUP_WINDOW_SECONDS), Duration.ZERO, Duration.ofDays(7),
            "How long a (sender, rtm-cid) pair is remembered: a repeat within it is acknowledged with the first "
                    + "result and not delivered twice. 0 turns de-duplication off.");

    // --------------------------------------------------------------------------------------------------------- access
    public static final Setting<String> NON_RTM_TOPICS = Setting.ofChoice("access.non-rtm-topics",
            "allow", List.of("allow", "deny"),
            "Whether authenticated clients may publish and subscribe outside rtm/ (ordinary MQTT topics).");

    // ------------------------------------------------------------------------------------------------------- presence
    public static final Setting<Duration> PRESENCE_GRACE = Setting.ofDuration("presence.grace",
            Duration.ofSeconds(Limits.PRESENCE_GRACE_SECONDS), Duration.ZERO, Duration.ofHours(1),
            "How long a user whose connection was lost without DISCONNECT stays unreachable (and keeps its channels) "
                    + "before it goes offline.");
    public static final Setting<Integer> PRESENCE_MAX_SUBSCRIPTIONS = Setting.ofInt("presence.max-subscriptions",
            Limits.MAX_PRESENCE_SUBSCRIPTIONS, 0, 1_000_000,
            "Most presence subscriptions (filters that read rtm/user/{uid}/presence) one client may hold.");

    // -------------------------------------------------------------------------------------------------------- channels
    public static final Setting<Integer> CHANNEL_MAX_JOINED = Setting.ofInt("channel.max-joined",
            Limits.MAX_CHANNELS_PER_USER, 1, 100_000,
            "Most channels one user may be in at once.");
    public static final Setting<Integer> CHANNEL_MAX_LIST = Setting.ofInt("channel.max-list",
            Limits.MAX_RECIPIENT_LIST, 1, 10_000,
            "Most uids in an rtm-only or rtm-except list of a channel message. Over it: invalid.");
    public static final Setting<Duration> CHANNEL_COUNT_INTERVAL = Setting.ofDuration("channel.count-interval",
            Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1),
            "Shortest time between two updates of a channel's retained member count (changes in between are coalesced).");

    // ----------------------------------------------------------------------------------------------------------- http
    public static final Setting<Integer> HTTP_RATE_PER_SECOND = Setting.ofInt("http.rate-per-second",
            100, 1, 1_000_000,
            "REST API requests per second one calling service (token subject) may make, sustained. Over it: HTTP 429.");
    public static final Setting<Integer> HTTP_RATE_BURST = Setting.ofInt("http.rate-burst",
            200, 1, 1_000_000,
            "REST API token bucket size per calling service.");
    public static final Setting<Boolean> HTTP_METRICS_PUBLIC = Setting.ofBoolean("http.metrics-public", false,
            "Whether /metrics may be scraped without a service or admin token.");
    public static final Setting<Integer> HTTP_MAX_CONNECTIONS = Setting.ofInt("http.max-connections",
            1_000, 1, 20_000,
            "Most HTTP connections (REST, web pages, /metrics) open at once; while at the limit the server accepts no "
                    + "new connection (they wait in the listen queue) until one closes.");
    public static final Setting<Duration> HTTP_HEADER_TIMEOUT = Setting.ofDuration("http.header-timeout",
            Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10),
            "Longest time an HTTP client may take to send a request's line and headers, counted from the opening of "
                    + "the connection or the end of the previous response; a connection that takes longer is closed.");
    public static final Setting<Duration> HTTP_BODY_TIMEOUT = Setting.ofDuration("http.body-timeout",
            Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1),
            "Longest time an HTTP client may take to send a request's body once its headers arrived. Longer: HTTP 408 "
                    + "and the connection is closed.");
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT = Setting.ofDuration("http.idle-timeout",
            Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofHours(1),
            "An HTTP connection on which nothing can be read or written for this long is closed (a client that stops "
                    + "reading a response, for one).");
    // ------------------------------------------------------------------------------------------------------ attributes
    public static final Setting<Integer> ATTR_MAX_KEY_LENGTH = Setting.ofInt("attr.max-key-length",
            Ids.MAX_KEY_LENGTH, 1, Ids.MAX_KEY_LENGTH,
            "Longest attribute key, in characters. Longer (up to the protocol's 32): too_large.");
    public static final Setting<Integer> ATTR_MAX_VALUE_BYTES = Setting.ofInt("attr.max-value-bytes",
            Limits.MAX_ATTR_VALUE_BYTES, 1, 1_048_576,
            "Largest attribute value, in bytes (a publish is also bound by limits.max-payload-bytes). Larger: too_large.");
    public static final Setting<Integer> ATTR_MAX_KEYS = Setting.ofInt("attr.max-keys",
            Limits.MAX_ATTR_KEYS, 1, 10_000,
            "Most attributes (keys with a value) one user, and one channel, may have. One more: too_large.");
    public static final Setting<Integer> ATTR_MAX_CHANNEL_BYTES = Setting.ofInt("attr.max-channel-bytes",
            Limits.MAX_CHANNEL_ATTR_BYTES, 1, 268_435_455,
            "Largest total size of all attribute values of one channel, in bytes. Over it: too_large.");
    public static final Setting<Boolean> ATTR_CLEAR_USER_ON_LOGOUT = Setting.ofBoolean("attr.clear-user-on-logout",
            false,
            "Delete all attributes of a user when it goes offline (Agora's behaviour). By default they persist across "
                    + "logins.");

    // -------------------------------------------------------------------------------------------------------- history
    public static final Setting<Boolean> HISTORY_ENABLED = Setting.ofBoolean("history.enabled", true,
            "Record peer and channel messages in history (a sender opts a message out with rtm-history: false).");
    public static final Setting<Duration> HISTORY_RETENTION = Setting.ofDuration("history.retention",
            Duration.ofSeconds(Limits.HISTORY_RETENTION_SECONDS), Duration.ofSeconds(1), Duration.ofDays(3650),
            "How long a message stays in history.");
    public static final Setting<Integer> HISTORY_MAX_PER_CONVERSATION = Setting.ofInt("history.max-per-conversation",
            10_000, 1, 100_000_000,
            "Most messages kept per conversation (peer pair or channel); the oldest go first.");
    public static final Setting<Duration> HISTORY_SWEEP_INTERVAL = Setting.ofDuration("history.sweep-interval",
            Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(1),
            "How often the background task removes messages past history.retention or over "
                    + "history.max-per-conversation.");

    // ---------------------------------------------------------------------------------------------------------- calls
    public static final Setting<Duration> CALL_OFFLINE_TIMEOUT = Setting.ofDuration("call.offline-timeout",
            Duration.ofSeconds(Limits.CALL_OFFLINE_TIMEOUT_SECONDS), Duration.ofMillis(100), Duration.ofHours(1),
            "How long an invitation waits for the callee to be online and subscribed to its call topic before it fails "
                    + "with peer_offline.");
    public static final Setting<Duration> CALL_ACK_TIMEOUT = Setting.ofDuration("call.ack-timeout",
            Duration.ofSeconds(Limits.CALL_ACK_TIMEOUT_SECONDS), Duration.ofMillis(100), Duration.ofHours(1),
            "How long the callee's client may take to acknowledge an invitation handed to it before the call fails "
                    + "with no_response.");
    public static final Setting<Duration> CALL_ANSWER_TIMEOUT = Setting.ofDuration("call.answer-timeout",
            Duration.ofSeconds(Limits.CALL_ANSWER_TIMEOUT_SECONDS), Duration.ofMillis(100), Duration.ofHours(24),
            "How long after received the callee may take to accept or refuse before the call fails with expired.");
    public static final Setting<Integer> CALL_MAX_CONTENT_BYTES = Setting.ofInt("call.max-content-bytes",
            Limits.MAX_CALL_CONTENT_BYTES, 0, 1_048_576,
            "Largest content of an invite and response of an answer, in bytes (UTF-8). Larger: too_large.");

    // ---------------------------------------------------------------------------------------------------------- store
    public static final Setting<String> STORE_SYNC = Setting.ofChoice("store.sync",
            "interval", List.of("always", "interval", "never"),
            "When the journal is forced to disk. Every write reaches the operating system before it is acknowledged, "
                    + "so a crash or kill -9 of the broker loses nothing in any mode. interval: forced every "
                    + "store.sync-interval (a power cut may lose that much); always: forced before every "
                    + "acknowledgement, group-committed (survives power cuts; each write waits for the disk); "
                    + "never: left to the operating system.");
    public static final Setting<Duration> STORE_SYNC_INTERVAL = Setting.ofDuration("store.sync-interval",
            Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofMinutes(1),
            "With store.sync=interval: how often the journal is forced to disk.");
    public static final Setting<Duration> STORE_CHECKPOINT_INTERVAL = Setting.ofDuration("store.checkpoint-interval",
            Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofHours(1),
            "How often journaled changes are written into the MapDB files (and the journal trimmed).");
    public static final Setting<Integer> STORE_CHECKPOINT_ENTRIES = Setting.ofInt("store.checkpoint-entries",
            100_000, 100, 10_000_000,
            "Checkpoint early once this many changes are waiting in memory.");

    // ------------------------------------------------------------------------------------------------------------ log
    public static final Setting<Integer> LOG_REFUSALS_PER_SECOND = Setting.ofInt("log.refusals-per-second",
            10, 0, 10_000,
            "Refused logins and publishes logged at INFO per second, at most (uid, topic, code, reason; never a token "
                    + "or a payload); the rest go to DEBUG and a later INFO line (within 30 s) counts them. 0: DEBUG only.");

    private static final List<Setting<?>> ALL = List.of(
            AUTH_CLOCK_SKEW,
            MAX_PAYLOAD_BYTES, RATE_PER_SECOND, RATE_BURST, FLOOD_REFUSALS, FLOOD_WINDOW, FLOOD_BAN,
            OFFLINE_MAX_MESSAGES, OFFLINE_TTL, OFFLINE_MAX_EVENTS, OFFLINE_MAX_WAITING_ONLINE, OFFLINE_WINDOW, CLIENT_QUEUE,
            DEDUP_WINDOW,
            NON_RTM_TOPICS,
            PRESENCE_GRACE, PRESENCE_MAX_SUBSCRIPTIONS,
            CHANNEL_MAX_JOINED, CHANNEL_MAX_LIST, CHANNEL_COUNT_INTERVAL,
            HTTP_RATE_PER_SECOND, HTTP_RATE_BURST, HTTP_METRICS_PUBLIC, HTTP_MAX_CONNECTIONS, HTTP_HEADER_TIMEOUT,
            HTTP_BODY_TIMEOUT, HTTP_IDLE_TIMEOUT,
            ATTR_MAX_KEY_LENGTH, ATTR_MAX_VALUE_BYTES, ATTR_MAX_KEYS, ATTR_MAX_CHANNEL_BYTES, ATTR_CLEAR_USER_ON_LOGOUT,
            HISTORY_ENABLED, HISTORY_RETENTION, HISTORY_MAX_PER_CONVERSATION, HISTORY_SWEEP_INTERVAL,
            CALL_OFFLINE_TIMEOUT, CALL_ACK_TIMEOUT, CALL_ANSWER_TIMEOUT, CALL_MAX_CONTENT_BYTES,
            STORE_SYNC, STORE_SYNC_INTERVAL, STORE_CHECKPOINT_INTERVAL, STORE_CHECKPOINT_ENTRIES,
            LOG_REFUSALS_PER_SECOND);

    private Settings() {
    }

    /** Every setting, in documentation order. */
    public static @NotNull List<Setting<?>> all() {
        return ALL;
    }
}
