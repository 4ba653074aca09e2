package org.openrtm.extension.delivery;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** The version 2 layout: version 1 with the version byte 2 and Correlation Data and Response Topic appended. */
    private static byte[] referenceV2(final String rtmId, final String sender, final long expiresAt, final RtmMessage m)
            throws IOException {
        final byte[] v1 = reference(rtmId, sender, expiresAt, m);
        v1[0] = 2;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(v1);
            optional(out, m.correlation());
            optional(out, m.responseTopic() == null ? null : m.responseTopic().getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void optional(final DataOutputStream out, final byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static void assertSameMessage(final RtmMessage back, final RtmMessage expected) {
        assertThat(back.topic()).isEqualTo(expected.topic());
        assertThat(back.payload()).isEqualTo(expected.payload());
        assertThat(back.qos()).isEqualTo(expected.qos());
        assertThat(back.properties()).isEqualTo(expected.properties());
        assertThat(back.expirySeconds()).isEqualTo(expected.expirySeconds());
        assertThat(back.contentType()).isEqualTo(expected.contentType());
        assertThat(back.utf8()).isEqualTo(expected.utf8());
        assertThat(back.correlation()).isEqualTo(expected.correlation());
        assertThat(back.responseTopic()).isEqualTo(expected.responseTopic());
    }

    @Test
    void encode_keepsEveryDeliveredProperty_andDecodesBack() throws IOException {
        final byte[] correlation = {0, 1, (byte) 0xFF, 42};
        final RtmMessage full = new RtmMessage(MESSAGE.topic(), MESSAGE.payload(), 1, false, MESSAGE.properties(), 30L,
                correlation, "rtm/user/alice/inbox/bob", "application/cbor", false);
        final byte[] encoded = MailCodec.encode("01ABC", "alice", 1_700_000_030_000L, full);
        assertThat(encoded[0]).isEqualTo(MailCodec.VERSION_2);
        assertThat(encoded).isEqualTo(referenceV2("01ABC", "alice", 1_700_000_030_000L, full));
        assertSameMessage(MailCodec.decode(encoded), full);
        final MailCodec.Header h = MailCodec.header(MailCodec.key("bob", Box.INBOX, 7), encoded);
        assertThat(h.uid()).isEqualTo("bob");
        assertThat(h.box()).isEqualTo(Box.INBOX);
        assertThat(h.rtmId()).isEqualTo("01ABC");
        assertThat(h.sender()).isEqualTo("alice");
        assertThat(h.expiresAt()).isEqualTo(1_700_000_030_000L);
        assertThat(h.qos()).isEqualTo(1);
        assertThat(h.seq()).isEqualTo(7);
    }

    @Test
    void encode_keepsEmptyCorrelationDistinctFromNone() {
        final RtmMessage empty = new RtmMessage("rtm/user/bob/inbox/alice", new byte[0], 1, false, List.of(), null,
                new byte[0], "", null, false);
        final RtmMessage back = MailCodec.decode(MailCodec.encode("x", "alice", 0, empty));
        assertThat(back.correlation()).isEmpty();
        assertThat(back.responseTopic()).isEmpty();
    }

    @Test
    void decode_readsVersion1Records_writtenBeforeCorrelationAndResponseTopicWereKept() throws IOException {
        final byte[] old = reference("01ABC", "alice", 1_700_000_030_000L, MESSAGE);
        assertThat(old[0]).isEqualTo(MailCodec.VERSION_1);
        assertSameMessage(MailCodec.decode(old), MESSAGE);
        final MailCodec.Header h = MailCodec.header(MailCodec.key("bob", Box.INBOX, 7), old);
        assertThat(h.rtmId()).isEqualTo("01ABC");
        assertThat(h.sender()).isEqualTo("alice");
        assertThat(h.expiresAt()).isEqualTo(1_700_000_030_000L);
        assertThat(h.seq()).isEqualTo(7);
        // re-encoding an old record (as the store does when it rewrites the mailbox) yields the current layout
        final byte[] upgraded = MailCodec.encode("01ABC", "alice", 1_700_000_030_000L, MailCodec.decode(old));
        assertThat(upgraded).isEqualTo(referenceV2("01ABC", "alice", 1_700_000_030_000L, MESSAGE));
        assertSameMessage(MailCodec.decode(upgraded), MESSAGE);
    }

    @Test
    void encode_withoutOptionalFields() throws IOException {
        final RtmMessage bare = new RtmMessage("rtm/user/bob/event", new byte[0], 0, false, List.of(), null, null, null,
                null, false);
        assertThat(MailCodec.encode("x", "", 0, bare)).isEqualTo(referenceV2("x", "", 0, bare));
        assertSameMessage(MailCodec.decode(MailCodec.encode("x", "", 0, bare)), bare);
        assertSameMessage(MailCodec.decode(reference("x", "", 0, bare)), bare);
    }

    @Test
    void decode_refusesAnUnknownVersion() throws IOException {
        final byte[] future = referenceV2("x", "", 0, MESSAGE);
        future[0] = 9;
        assertThatThrownBy(() -> MailCodec.decode(future)).isInstanceOf(UncheckedIOException.class)
                .hasRootCauseMessage("unknown mail record version 9");
    }
}
