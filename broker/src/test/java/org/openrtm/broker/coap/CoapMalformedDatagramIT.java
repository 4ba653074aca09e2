package org.openrtm.broker.coap;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Clients;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Props;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed CoAP datagrams on a raw UDP socket (issue 8): truncated headers, unknown versions, reserved token lengths,
 * broken options, bad payload markers, unknown critical options, unsolicited responses, empty messages with a token,
 * oversized datagrams, random garbage and bit-flipped logins. The gateway answers as RFC 7252 says (a Reset for a
 * confirmable message it cannot process, 4.02 for an unrecognized critical option in a request, nothing for an unknown
 * version or a datagram without a header) or ignores the datagram; it never answers one with success, never crashes,
 * and a device that is logged in meanwhile keeps its session, its observation and its messages.
 */
class CoapMalformedDatagramIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of(), Map.of());

    private static final int CON = 0;
    private static final int NON = 1;
    private static final int ACK = 2;
    private static final int RST = 3;

    private static DatagramSocket attacker;
    private static InetSocketAddress gateway;
    private static int mid = 0x4000;

    @BeforeAll
    static void openSocket() throws IOException {
        attacker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.coapPort());
    }

    @AfterAll
    static void closeSocket() {
        attacker.close();
    }

    /** A reply of the gateway, decoded just enough. */
    private record Reply(int version, int type, int code, int mid, int length) {
        boolean isReset() {
            return type == RST && code == 0;
        }

        String describe() {
            return "v" + version + " type " + type + " code " + (code >> 5) + "." + String.format("%02d", code & 31) + " mid "
                    + mid + " (" + length + " bytes)";
        }
    }

    // --------------------------------------------------------------------------------------------------- encoding

    /** Header: version 1 unless given, type, token length nibble, code, message id. */
    private static ByteArrayOutputStream header(final int version, final int type, final int tkl, final int code,
                                                final int messageId) {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(version << 6 | type << 4 | tkl);
        b.write(code);
        b.write(messageId >> 8);
        b.write(messageId & 0xFF);
        return b;
    }

    private static int nextMid() {
        mid = mid + 1 & 0xFFFF;
        return mid;
    }

    /** Appends an option with a delta and value below 13 (no extended fields). */
    private static void option(final ByteArrayOutputStream b, final int delta, final byte[] value) {
        b.write(delta << 4 | value.length);
        b.writeBytes(value);
    }

    private static byte[] text(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A well-formed GET /session/x (Uri-Path 11). */
    private static ByteArrayOutputStream validGet(final int type, final int messageId) {
        final ByteArrayOutputStream b = header(1, type, 2, 1, messageId);
        b.writeBytes(new byte[] {0x12, 0x34});
        option(b, 11, text("session"));
        option(b, 0, text("x"));
        return b;
    }

    // ------------------------------------------------------------------------------------------------ exchanging

    private static List<Reply> exchange(final byte[] datagram, final long waitMillis) throws IOException {
        attacker.send(new DatagramPacket(datagram, datagram.length, gateway));
        return replies(waitMillis);
    }

    private static List<Reply> replies(final long waitMillis) throws IOException {
        final List<Reply> out = new ArrayList<>();
        final long end = System.currentTimeMillis() + waitMillis;
        final byte[] buf = new byte[2048];
        while (true) {
            final long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return out;
            }
            attacker.setSoTimeout((int) left);
            final DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                attacker.receive(p);
            } catch (final SocketTimeoutException e) {
                return out;
            }
            final byte[] d = p.getData();
            assertThat(p.getLength()).as("every reply has a CoAP header").isGreaterThanOrEqualTo(4);
            out.add(new Reply(d[0] >> 6 & 3, d[0] >> 4 & 3, d[1] & 0xFF, (d[2] & 0xFF) << 8 | d[3] & 0xFF, p.getLength()));
        }
    }

    /** No reply at all. */
    private static void assertIgnored(final String what, final byte[] datagram) throws IOException {
        assertThat(exchange(datagram, 250)).as(what).isEmpty();
    }

    /** Exactly a Reset for the message id. */
    private static void assertReset(final String what, final byte[] datagram, final int messageId) throws IOException {
        final List<Reply> r = exchange(datagram, 500);
        assertThat(r).as(what + ": " + r.stream().map(Reply::describe).toList()).hasSize(1);
        assertThat(r.get(0).isReset()).as(what + ": " + r.get(0).describe()).isTrue();
        assertThat(r.get(0).mid()).as(what).isEqualTo(messageId);
    }

    /** A 4.02 Bad Option for the message id, piggybacked on the acknowledgement. */
    private static void assertBadOption(final String what, final byte[] datagram, final int messageId) throws IOException {
        final List<Reply> r = exchange(datagram, 500);
        assertThat(r).as(what + ": " + r.stream().map(Reply::describe).toList()).hasSize(1);
        assertThat(r.get(0).type()).as(what + ": " + r.get(0).describe()).isEqualTo(ACK);
        assertThat(r.get(0).code()).as(what + ": " + r.get(0).describe()).isEqualTo(ResponseCode.BAD_OPTION.value);
        assertThat(r.get(0).mid()).as(what).isEqualTo(messageId);
    }

    /** Nothing, a Reset, or an error response, each for the message id; never a success. */
    private static void assertRefusedOrIgnored(final String what, final byte[] datagram, final int messageId)
            throws IOException {
        for (final Reply r : exchange(datagram, 300)) {
            assertThat(r.version()).as(what).isEqualTo(1);
            assertThat(r.mid()).as(what + ": " + r.describe()).isEqualTo(messageId);
            assertThat(r.isReset() || r.code() >= 0x80).as(what + ": " + r.describe()).isTrue();
        }
    }

    // --------------------------------------------------------------------------------------------------- tests

    @Test
    void everyKindOfMalformedDatagram_isRefusedAsTheRfcSays_andABystanderDeviceKeepsWorking() throws Exception {
        final Mqtt5BlockingClient alice = Clients.connect(broker, "alice-m");
        try (CoapDevice bystander = CoapDevice.udp(broker.coapPort())) {
            assertThat(bystander.login("plug-m", broker.token("plug-m"), "ka=120").getCode()).isEqualTo(ResponseCode.CREATED);
            final CoapDevice.Observation inbox = bystander.observe("/rtm/user/plug-m/inbox");

            // no header: nothing to answer
            assertIgnored("empty datagram", new byte[0]);
            for (int n = 1; n < 4; n++) {
                assertIgnored("truncated header of " + n + " bytes", java.util.Arrays.copyOf(validGet(CON, 7).toByteArray(), n));
            }
            // unknown versions are silently ignored (RFC 7252 section 3)
            for (final int version : new int[] {0, 2, 3}) {
                final ByteArrayOutputStream b = header(version, CON, 0, 1, nextMid());
                option(b, 11, text("session"));
                assertIgnored("version " + version, b.toByteArray());
            }
            // message format errors of a confirmable message: Reset (RFC 7252 sections 3 and 4.2); once the token is
            // read, a request with broken options is answered 4.02 Bad Option instead, so the client's request fails
            for (int tkl = 9; tkl <= 15; tkl++) {
                final int m = nextMid();
                final ByteArrayOutputStream b = header(1, CON, tkl, 1, m);
                b.writeBytes(new byte[15]);
                assertReset("reserved token length " + tkl, b.toByteArray(), m);
            }
            int m = nextMid();
            final ByteArrayOutputStream shortToken = header(1, CON, 8, 1, m);
            shortToken.writeBytes(new byte[] {1, 2, 3});
            assertReset("token longer than the datagram", shortToken.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream delta15 = validGet(CON, m);
            delta15.write(0xF3);
            delta15.writeBytes(new byte[] {1, 2, 3});
            assertBadOption("option delta 15 that is not the payload marker", delta15.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream length15 = validGet(CON, m);
            length15.write(0x1F);
            assertBadOption("option length 15", length15.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream beyond = validGet(CON, m);
            beyond.write(0x0C);
            beyond.writeBytes(text("abc"));
            assertBadOption("option value beyond the end of the datagram", beyond.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream extended = validGet(CON, m);
            extended.write(0xD0);
            assertBadOption("extended option delta missing", extended.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream marker = validGet(CON, m);
            marker.write(0xFF);
            assertBadOption("payload marker without a payload", marker.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream emptyWithToken = header(1, CON, 2, 0, m);
            emptyWithToken.writeBytes(new byte[] {9, 9});
            assertReset("empty message with a token", emptyWithToken.toByteArray(), m);
            m = nextMid();
            final ByteArrayOutputStream emptyWithOption = header(1, CON, 0, 0, m);
            option(emptyWithOption, 11, text("session"));
            assertReset("empty message with an option", emptyWithOption.toByteArray(), m);

            // the same errors in non-confirmable messages are ignored
            final ByteArrayOutputStream nonBad = header(1, NON, 12, 1, nextMid());
            nonBad.writeBytes(new byte[12]);
            assertIgnored("non-confirmable with a reserved token length", nonBad.toByteArray());
            final ByteArrayOutputStream nonMarker = validGet(NON, nextMid());
            nonMarker.write(0xFF);
            assertIgnored("non-confirmable with a payload marker and no payload", nonMarker.toByteArray());

            // an unrecognized critical option in a request: 4.02 Bad Option (RFC 7252 section 5.4.1)
            m = nextMid();
            final ByteArrayOutputStream critical = header(1, CON, 1, 1, m);
            critical.write(7);
            option(critical, 11, text("session"));
            critical.write(13 << 4 | 1); // option 25: odd (critical) and unassigned; delta 14 in the extended byte
            critical.write(14 - 13);
            critical.write('?');
            final List<Reply> bad = exchange(critical.toByteArray(), 500);
            assertThat(bad).hasSize(1);
            assertThat(bad.get(0).type()).isEqualTo(ACK);
            assertThat(bad.get(0).code()).as(bad.get(0).describe()).isEqualTo(ResponseCode.BAD_OPTION.value);
            assertThat(bad.get(0).mid()).isEqualTo(m);

            // unsolicited acknowledgements, resets and responses: nothing to do
            assertIgnored("unsolicited ACK", header(1, ACK, 0, 0, nextMid()).toByteArray());
            assertIgnored("unsolicited RST", header(1, RST, 0, 0, nextMid()).toByteArray());
            m = nextMid();
            final ByteArrayOutputStream response = header(1, CON, 1, ResponseCode.CONTENT.value, m);
            response.write(5);
            assertRefusedOrIgnored("unsolicited confirmable 2.05", response.toByteArray(), m);
            for (final int code : new int[] {0x05, 0x07, 0x1F, 0x20, 0xE0, 0xFF}) {
                m = nextMid();
                final ByteArrayOutputStream odd = header(1, CON, 1, code, m);
                odd.write(1);
                option(odd, 11, text("session"));
                assertRefusedOrIgnored("confirmable with code " + code, odd.toByteArray(), m);
            }

            // a datagram far larger than any CoAP message the gateway accepts
            m = nextMid();
            final ByteArrayOutputStream huge = header(1, CON, 1, 2, m);
            huge.write(3);
            option(huge, 11, text("rtm"));
            huge.write(0xFF);
            huge.writeBytes(new byte[60_000]);
            assertRefusedOrIgnored("oversized datagram", huge.toByteArray(), m);

            // random garbage and bit-flipped logins: whatever the gateway does, it answers no success to garbage
            final Random random = new Random(20_261_122L);
            for (int i = 0; i < 400; i++) {
                final byte[] g = new byte[random.nextInt(1200)];
                random.nextBytes(g);
                attacker.send(new DatagramPacket(g, g.length, gateway));
            }
            final byte[] login = login("plug-m2", broker.token("plug-m2"));
            for (int i = 0; i < 400; i++) {
                final byte[] f = login.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8));
                }
                attacker.send(new DatagramPacket(f, f.length, gateway));
            }
            replies(1500); // drain whatever came back

            // the gateway still answers a ping from the attacker's socket
            m = nextMid();
            assertReset("a CoAP ping after the barrage", header(1, CON, 0, 0, m).toByteArray(), m);

            // the bystander's session, observation and messages are intact
            assertThat(bystander.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
            assertThat(Clients.prop(Clients.publish(alice, "rtm/user/plug-m/inbox/alice-m", "still here?"), Props.STATUS))
                    .isEqualTo("delivered");
            final CoapResponse n = inbox.next();
            assertThat(n.getResponseText()).contains("still here?");
            assertThat(bystander.post("/rtm/user/alice-m/inbox", "yes").getCode()).isEqualTo(ResponseCode.CREATED);
            try (CoapDevice newcomer = CoapDevice.udp(broker.coapPort())) {
                assertThat(newcomer.login("plug-m3", broker.token("plug-m3")).getCode()).isEqualTo(ResponseCode.CREATED);
            }
            assertThat(broker.broker().coapGateway()).isNotNull();
        } finally {
            alice.disconnect();
        }
    }

    /** A confirmable POST /session?u=UID with the token: a real login, to mutate. */
    private static byte[] login(final String uid, final String token) {
        final ByteArrayOutputStream b = header(1, CON, 2, 2, nextMid());
        b.writeBytes(new byte[] {0x55, 0x66});
        option(b, 11, text("session"));
        final byte[] query = text("u=" + uid);
        b.write(4 << 4 | query.length); // Uri-Query (15) = 11 + 4
        b.writeBytes(query);
        b.write(0xFF);
        b.writeBytes(text(token));
        return b.toByteArray();
    }
}
