package org.openrtm.bench.broker;

import org.jetbrains.annotations.NotNull;

import java.util.Locale;

/**
 * The brokers a benchmark compares, side by side in one run.
 */
public enum Target {
    /** (a) HiveMQ CE with the OpenRTM extension: authenticated devices, the rtm/ semantics. */
    RTM("a", "openrtm", "OpenRTM (HiveMQ CE 2025.5 + extension)"),
    /**
     * (h) OpenRTM with message history switched off ({@code history.enabled=false}): the other side of the peer
     * scenario's {@code --history both}, so that the cost of recording is measured in the same run.
     */
    RTM_HISTORY_OFF("h", "openrtm-nohistory", "OpenRTM, history.enabled=false"),
    /** (b) The same embedded HiveMQ CE without the extension: the same topics as plain MQTT. */
    HIVEMQ("b", "hivemq", "HiveMQ CE 2025.5, no extension"),
    /**
     * (n) The same embedded HiveMQ CE with an extension whose publish outbound and PUBACK inbound interceptors do
     * nothing: the same topics as plain MQTT. What HiveMQ charges any extension that tracks deliveries.
     */
    HIVEMQ_NOOP("n", "hivemq-noop", "HiveMQ CE 2025.5 + no-op publish-outbound/PUBACK-inbound interceptors"),
    /** (c) Eclipse Mosquitto, when a {@code mosquitto} binary is available: the same topics as plain MQTT. */
    MOSQUITTO("c", "mosquitto", "Mosquitto");

    private final String letter;
    private final String id;
    private final String description;

    Target(final String letter, final String id, final String description) {
        this.letter = letter;
        this.id = id;
        this.description = description;
    }

    /** The letter used in tables and ratios: a, h, b, n or c. */
    public @NotNull String letter() {
        return letter;
    }

    /** A short lower-case name: openrtm, hivemq, mosquitto. */
    public @NotNull String id() {
        return id;
    }

    /** What runs, for people. */
    public @NotNull String description() {
        return description;
    }

    /** Whether clients authenticate with tokens and the broker applies the rtm/ semantics. */
    public boolean isRtm() {
        return this == RTM || this == RTM_HISTORY_OFF;
    }

    /**
     * Parses a letter or a name.
     *
     * @param s {@code a}, {@code h}, {@code b}, {@code n}, {@code c}, or {@code openrtm}, {@code openrtm-nohistory},
     *          {@code hivemq}, {@code hivemq-noop}, {@code mosquitto}
     * @return the target
     * @throws IllegalArgumentException naming the accepted values
     */
    public static @NotNull Target parse(final @NotNull String s) {
        final String v = s.trim().toLowerCase(Locale.ROOT);
        for (final Target t : values()) {
            if (t.letter.equals(v) || t.id.equals(v)) {
                return t;
            }
        }
        throw new IllegalArgumentException("target must be a (openrtm), h (openrtm-nohistory), b (hivemq), "
                + "n (hivemq-noop) or c (mosquitto), but was '" + s + "'");
    }
}
