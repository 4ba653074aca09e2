package org.openrtm.extension.delivery;

import org.jetbrains.annotations.NotNull;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Binary layout of stored mail: keys sort by user, box and sequence number. Stateless.
 *
 * <p>Value layout, all integers big-endian, strings as {@code int length + UTF-8 bytes}:
 * {@code version(1) rtmId sender expiresAt(8) qos(1) topic expirySeconds(8, -1 = none) contentType("" = none)
 * utf8(1) propertyCount(2) (name value)* payloadLength(4) payload}. Version 2 appends
 * {@code correlationLength(4, -1 = none) correlation responseTopicLength(4, -1 = none) responseTopic}.
 * Version 1 records (written before Correlation Data and Response Topic were kept) still decode, without them.
 */
final class MailCodec {

    /** The layout written before Correlation Data and Response Topic were kept. */
    static final byte VERSION_1 = 1;
    /** The layout written now. */
    static final byte VERSION_2 = 2;

    private MailCodec() {
    }

    /** {@code uid 0x00 box seq(8, big-endian)}. */
    static byte @NotNull [] key(final @NotNull String uid, final @NotNull Box box, final long seq) {
        final byte[] u = uid.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(u.length + 2 + 8).put(u).put((byte) 0).put(box.code()).putLong(seq).array();
    }

    /** What the index needs of a stored message, decoded without its payload. */
    record Header(String uid, Box box, long seq, String rtmId, String sender, long expiresAt, int qos) {
    }

    static @NotNull Header header(final byte @NotNull [] key, final byte @NotNull [] value) {
        int zero = 0;
        while (key[zero] != 0) {
            zero++;
        }
        final String uid = new String(key, 0, zero, StandardCharsets.US_ASCII);
        final Box box = Box.of(key[zero + 1]);
        final long seq = ByteBuffer.wrap(key, zero + 2, 8).getLong();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
            in.readByte();
            final String rtmId = readStr(in);
            final String sender = readStr(in);
            final long expiresAt = in.readLong();
            final int qos = in.readByte();
            return new Header(uid, box, seq, rtmId, sender, expiresAt, qos);
        } catch (final IOException e) {
            throw new UncheckedIOException("corrupt mail record for " + uid, e);
        }
    }

    static byte @NotNull [] encode(final @NotNull String rtmId, final @NotNull String sender, final long expiresAt,
                                   final @NotNull RtmMessage m) {
        // one exact-size array and a ByteBuffer (big-endian, like DataOutputStream): every stored message is encoded
        // on the message path
        final List<Map.Entry<String, String>> props = m.properties();
        final byte[][] strings = new byte[5 + 2 * props.size()][];
        strings[0] = utf8(rtmId);
        strings[1] = utf8(sender);
        strings[2] = utf8(m.topic());
        strings[3] = utf8(m.contentType() == null ? "" : m.contentType());
        int i = 4;
        for (final Map.Entry<String, String> p : props) {
            strings[i++] = utf8(p.getKey());
            strings[i++] = utf8(p.getValue());
        }
        final byte[] correlation = m.correlation();
        final byte[] responseTopic = m.responseTopic() == null ? null : utf8(m.responseTopic());
        int size = 1 + 8 + 1 + 8 + 1 + 2 + 4 + m.payload().length
                + 4 + (correlation == null ? 0 : correlation.length) + 4 + (responseTopic == null ? 0 : responseTopic.length);
        for (int k = 0; k < i; k++) {
            size += 4 + strings[k].length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION_2);
        putStr(out, strings[0]);
        putStr(out, strings[1]);
        out.putLong(expiresAt);
        out.put((byte) m.qos());
        putStr(out, strings[2]);
        out.putLong(m.expirySeconds() == null ? -1 : m.expirySeconds());
        putStr(out, strings[3]);
        out.put(m.utf8() ? (byte) 1 : (byte) 0);
        out.putShort((short) props.size());
        for (int k = 4; k < i; k++) {
            putStr(out, strings[k]);
        }
        out.putInt(m.payload().length);
        out.put(m.payload());
        putBytes(out, correlation);
        putBytes(out, responseTopic);
        return out.array();
    }

    private static void putBytes(final ByteBuffer out, final byte[] b) {
        if (b == null) {
            out.putInt(-1);
        } else {
            putStr(out, b);
        }
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putStr(final ByteBuffer out, final byte[] b) {
        out.putInt(b.length);
        out.put(b);
    }

    static @NotNull RtmMessage decode(final byte @NotNull [] value) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value))) {
            final byte version = in.readByte();
            if (version != VERSION_1 && version != VERSION_2) {
                throw new IOException("unknown mail record version " + version);
            }
            readStr(in);
            readStr(in);
            in.readLong();
            final int qos = in.readByte();
            final String topic = readStr(in);
            final long expiry = in.readLong();
            final String contentType = readStr(in);
            final boolean utf8 = in.readBoolean();
            final int n = in.readShort();
            final List<Map.Entry<String, String>> props = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                props.add(Map.entry(readStr(in), readStr(in)));
            }
            final byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            byte[] correlation = null;
            String responseTopic = null;
            if (version >= VERSION_2) {
                correlation = readBytes(in);
                final byte[] rt = readBytes(in);
                responseTopic = rt == null ? null : new String(rt, StandardCharsets.UTF_8);
            }
            return new RtmMessage(topic, payload, qos, false, props, expiry < 0 ? null : expiry, correlation,
                    responseTopic, contentType.isEmpty() ? null : contentType, utf8);
        } catch (final IOException e) {
            throw new UncheckedIOException("corrupt mail record", e);
        }
    }

    // length -1 stands for absent (null), so an empty Correlation Data stays distinct from none
    private static byte[] readBytes(final DataInputStream in) throws IOException {
        final int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > 16 * 1024 * 1024) {
            throw new IOException("field length " + n + " out of range");
        }
        final byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    // strings are length-prefixed UTF-8: unlike writeUTF, no 64 KB limit and no modified encoding
    private static String readStr(final DataInputStream in) throws IOException {
        final int n = in.readInt();
        if (n < 0 || n > 16 * 1024 * 1024) {
            throw new IOException("string length " + n + " out of range");
        }
        final byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
