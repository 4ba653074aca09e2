package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ConnackSnifferTest {

    /** A CONNACK with reason code 0x87, Receive Maximum 10, a user property and a reason string. */
    private static byte[] connack() {
        final ByteArrayOutputStream props = new ByteArrayOutputStream();
        props.write(0x21);
        props.write(0);
        props.write(10);
        props.write(0x26);
        writeString(props, "k");
        writeString(props, "v");
        props.write(0x1F);
        writeString(props, "token expired at 2026-11-22T02:00:00Z");
        final byte[] p = props.toByteArray();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0); // flags
        body.write(0x87);
        body.write(p.length);
        body.write(p, 0, p.length);
        final byte[] b = body.toByteArray();
        final ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x20);
        packet.write(b.length);
        packet.write(b, 0, b.length);
        return packet.toByteArray();
    }

    private static void writeString(final ByteArrayOutputStream out, final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.write(b, 0, b.length);
    }

    @Test
    void readsTheReasonCodeAndString_fedByteByByte() {
        final byte[] packet = connack();
        final ConnackSniffer s = new ConnackSniffer();
        for (int i = 0; i < packet.length; i++) {
            assertThat(s.connack()).isNull();
            s.feed(packet, i, 1);
        }
        assertThat(s.connack().reasonCode).isEqualTo(0x87);
        assertThat(s.connack().reasonString).isEqualTo("token expired at 2026-11-22T02:00:00Z");
        // later bytes do not matter
        s.feed(new byte[] {0x30, 0, 1, 2}, 0, 4);
        assertThat(s.connack().reasonCode).isEqualTo(0x87);
    }

    @Test
    void aConnackWithoutProperties_andOtherPackets_areHandled() {
        final ConnackSniffer plain = new ConnackSniffer();
        plain.feed(new byte[] {0x20, 2, 0, (byte) 0x86}, 0, 4);
        assertThat(plain.connack().reasonCode).isEqualTo(0x86);
        assertThat(plain.connack().reasonString).isNull();

        final ConnackSniffer other = new ConnackSniffer();
        other.feed(new byte[] {0x30, 2, 0, 0}, 0, 4);
        assertThat(other.connack()).isNull();
        assertThat(ConnackSniffer.parse(new byte[] {0x20, 5, 0, (byte) 0x87, 3, 0x1F, 0})).isNull();
    }
}
