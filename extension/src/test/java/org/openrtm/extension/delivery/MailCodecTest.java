package org.openrtm.extension.delivery;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MailCodecTest {

    private static final RtmMessage MESSAGE = new RtmMessage("rtm/user/bob/inbox/alice",
            "héllo".getBytes(StandardCharsets.UTF_8), 1, false,
            List.of(Map.entry("rtm-id", "01ABC"), Map.entry("rtm-ts", "1700000000000"), Map.entry("ünï", "cödé")),
            30L, null, null, "text/plain", true);

    /** The layout written by the earlier DataOutputStream encoder: journals written before must still decode. */
    private static byte[] reference(final String rtmId, final String sender, final long expiresAt, final RtmMessage m)
            throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            str(out, rtmId);
            str(out, sender);
            out.writeLong(expiresAt);
            out.writeByte(m.qos());
            str(out, m.topic());
            out.writeLong(m.expirySeconds() == null ? -1 : m.expirySeconds());
            str(out, m.contentType() == null ? "" : m.contentType());
            out.writeBoolean(m.utf8());
            out.writeShort(m.properties().size());
            for (final Map.Entry<String, String> p : m.properties()) {
                str(out, p.getKey());
                str(out, p.getValue());
            }
            out.writeInt(m.payload().length);
            out.write(m.payload());
        }
        return bytes.toByteArray();
    }

    private static void str(final DataOutputStream out, final String s) throws IOException {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    @Test
    void encode_writesTheSameBytesAsBefore_andDecodesBack() throws IOException {
        final byte[] encoded = MailCodec.encode("01ABC", "alice", 1_700_000_030_000L, MESSAGE);
        assertThat(encoded).isEqualTo(reference("01ABC", "alice", 1_700_000_030_000L, MESSAGE));
        final RtmMessage back = MailCodec.decode(encoded);
        assertThat(back.topic()).isEqualTo(MESSAGE.topic());
        assertThat(back.payload()).isEqualTo(MESSAGE.payload());
        assertThat(back.properties()).isEqualTo(MESSAGE.properties());
        assertThat(back.expirySeconds()).isEqualTo(30L);
        assertThat(back.contentType()).isEqualTo("text/plain");
        assertThat(back.utf8()).isTrue();
        final MailCodec.Header h = MailCodec.header(MailCodec.key("bob", Box.INBOX, 7), encoded);
        assertThat(h.rtmId()).isEqualTo("01ABC");
        assertThat(h.sender()).isEqualTo("alice");
        assertThat(h.expiresAt()).isEqualTo(1_700_000_030_000L);
        assertThat(h.seq()).isEqualTo(7);
    }

    @Test
    void encode_withoutOptionalFields() throws IOException {
        final RtmMessage bare = new RtmMessage("rtm/user/bob/event", new byte[0], 0, false, List.of(), null, null, null,
                null, false);
        assertThat(MailCodec.encode("x", "", 0, bare)).isEqualTo(reference("x", "", 0, bare));
        assertThat(MailCodec.decode(MailCodec.encode("x", "", 0, bare)).expirySeconds()).isNull();
    }
}
