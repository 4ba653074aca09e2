package org.openrtm.gateway.internal.translate;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.charset.StandardCharsets;

/**
 * What may travel in an MQTT 5 UTF-8 string (topic levels, user property values): MQTT 5 section 1.5.4 forbids
 * U+0000 and unpaired surrogates, and lets a receiver refuse control characters (U+0001 to U+001F, U+007F to U+009F)
 * and Unicode non-characters; HiveMQ refuses them with MALFORMED_PACKET and closes the connection, which for a device
 * session would end it. The gateway checks every value it copies from a CoAP request into MQTT and answers 4.00
 * instead. Pure functions; thread-safe.
 */
public final class MqttStrings {

    /** The longest MQTT UTF-8 string, in bytes. */
    public static final int MAX_BYTES = 65_535;

    private MqttStrings() {
    }

    /** Whether MQTT 5 (as HiveMQ reads it) refuses the code point in a string. */
    public static boolean isRefused(final int cp) {
        return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE
                || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
    }

    /**
     * Checks a value before it is copied into MQTT.
     *
     * @param what  how the value is called in the answer, e.g. {@code "query parameter cid"}
     * @param value the value
     * @return null when MQTT accepts it, otherwise a sentence that names the value, the rule and the offending
     *         character with its position
     */
    public static @Nullable String error(final @NotNull String what, final @NotNull String value) {
        int i = 0;
        while (i < value.length()) {
            final int cp = value.codePointAt(i);
            if (isRefused(cp)) {
                return what + " must not contain control characters (U+0000 to U+001F, U+007F to U+009F), unpaired "
                        + "surrogates or Unicode non-characters, but has U+" + String.format("%04X", cp)
                        + " at position " + (i + 1);
            }
            i += Character.charCount(cp);
        }
        final int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return what + " must be at most " + MAX_BYTES + " bytes of UTF-8 (an MQTT string), but was " + bytes;
        }
        return null;
    }
}
