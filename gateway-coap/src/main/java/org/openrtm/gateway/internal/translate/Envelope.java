package org.openrtm.gateway.internal.translate;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Props;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The JSON form of a message delivered to a device (the default representation of a notification):
 * <pre>{"topic":"rtm/user/me/inbox/alice","id":"01HV...","ts":1700000000000,"offline":true,"payload":"on"}</pre>
 * {@code payload} is the body as text when it is valid UTF-8, otherwise {@code payload64} holds it in base64.
 * {@code id}, {@code ts} and {@code offline} appear when the server stamped them; an attribute also carries its writer
 * ({@code by}) and revision ({@code rev}):
 * <pre>{"topic":"rtm/user/plug/attr/power","ts":1700000000000,"by":"plug","rev":3,"payload":"on"}</pre>
 * Pure; thread-safe.
 */
public final class Envelope {

    private Envelope() {
    }

    /**
     * Builds the envelope.
     *
     * @param topic   the MQTT topic the message was published to
     * @param payload the body
     * @param props   the user properties of the delivery (first value of each name)
     */
    public static byte @NotNull [] json(final @NotNull String topic, final byte @NotNull [] payload,
                                        final @NotNull Map<String, String> props) {
        final StringBuilder sb = new StringBuilder(payload.length + 128).append('{');
        field(sb, "topic", topic);
        final String id = props.get(Props.ID);
        if (id != null) {
            sb.append(',');
            field(sb, "id", id);
        }
        final String ts = props.get(Props.TS);
        if (ts != null && isDigits(ts)) {
            sb.append(",\"ts\":").append(ts);
        }
        final String by = props.get(Props.BY);
        if (by != null) {
            sb.append(',');
            field(sb, "by", by);
        }
        final String rev = props.get(Props.REV);
        if (rev != null && isDigits(rev)) {
            sb.append(",\"rev\":").append(rev);
        }
        if (Props.TRUE.equals(props.get(Props.OFFLINE))) {
            sb.append(",\"offline\":true");
        }
        final String text = utf8(payload);
        sb.append(',');
        if (text != null) {
            field(sb, "payload", text);
        } else {
            field(sb, "payload64", Base64.getEncoder().encodeToString(payload));
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the text is a JSON integer that fits a long: ASCII digits, no leading zero. */
    static boolean isDigits(final String s) {
        if (s.isEmpty() || s.length() > 19 || s.length() > 1 && s.charAt(0) == '0') {
            return false; // JSON numbers have no leading zeros
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') { // ASCII only: other digits are not JSON numbers
                return false;
            }
        }
        return true;
    }

    /** The bytes as a string when they are valid UTF-8, otherwise {@code null}. */
    static @Nullable String utf8(final byte @NotNull [] bytes) {
        try {
            final CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return cb.toString();
        } catch (final CharacterCodingException e) {
            return null;
        }
    }

    private static void field(final StringBuilder sb, final String name, final String value) {
        sb.append('"').append(name).append("\":");
        quote(sb, value);
    }

    /** Appends a JSON string literal. */
    static void quote(final StringBuilder sb, final String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
