package org.openrtm.broker.robust;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * Malformed MQTT on a raw socket: the broker closes that one connection (or answers with a protocol error) and
 * never crashes; a bystander's session keeps working.
 */
class MalformedPacketsIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    static Mqtt5BlockingClient bystander;
    static BlockingQueue<Mqtt5Publish> bystanderInbox;

    @BeforeAll
    static void bystander() {
        bystander = connect(broker, "bystander");
        bystanderInbox = subscribe(bystander, "rtm/user/bystander/inbox/+");
    }

    @AfterAll
    static void done() {
        bystander.disconnect();
    }

    // ------------------------------------------------------------------------------------------------ MQTT encoding

    private static byte[] varint(final int n) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int v = n;
        do {
            int b = v % 128;
            v /= 128;
            if (v > 0) {
                b |= 128;
            }
            out.write(b);
        } while (v > 0);
        return out.toByteArray();
    }

    private static byte[] str(final byte[] s) {
        final byte[] out = new byte[s.length + 2];
        out[0] = (byte) (s.length >> 8);
        out[1] = (byte) s.length;
        System.arraycopy(s, 0, out, 2, s.length);
        return out;
    }

    private static byte[] packet(final int first, final byte[]... parts) {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            body.writeBytes(p);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        out.writeBytes(varint(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static byte[] connect5(final String uid, final String token) {
        return connect5(uid, token, 30);
    }

    static byte[] connect5(final String uid, final String token, final int keepAlive) {
        return packet(0x10, str("MQTT".getBytes(StandardCharsets.US_ASCII)),
                new byte[] {5, (byte) 0xC2, (byte) (keepAlive >> 8), (byte) keepAlive, 0},
                str(uid.getBytes(StandardCharsets.UTF_8)), str(uid.getBytes(StandardCharsets.UTF_8)),
                str(token.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] publish5(final byte[] topic, final byte[] payload) {
        return packet(0x32, str(topic), new byte[] {0, 1, 0}, payload);
    }

    record Case(String name, byte[] bytes, boolean authenticateFirst) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        final byte[] random = new byte[512];
        new Random(42).nextBytes(random);
        final byte[] badUtf8 = {'r', 't', 'm', '/', (byte) 0xC3, (byte) 0x28, '/', (byte) 0xFF};
        final byte[] nulTopic = "rtm/user/\u0000/inbox/x".getBytes(StandardCharsets.UTF_8);
        final byte[] hugeProperties = packet(0x32, str("home/x".getBytes(StandardCharsets.US_ASCII)), new byte[] {0, 1},
                varint(1_000_000), new byte[] {0x26, 0, 1, 'a'});
        return Stream.of(
                new Case("random bytes", random, false),
                new Case("remaining length over four bytes", new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                        (byte) 0xFF, 0x7F}, false),
                new Case("CONNECT with a wrong protocol name", packet(0x10, str("MQTX".getBytes(StandardCharsets.US_ASCII)),
                        new byte[] {5, 2, 0, 30, 0}, str("x".getBytes(StandardCharsets.US_ASCII))), false),
                new Case("PUBLISH before CONNECT", publish5("rtm/user/bystander/inbox/x".getBytes(StandardCharsets.UTF_8),
                        new byte[] {1}), false),
                new Case("reserved packet type 0", new byte[] {0x00, 0x00}, false),
                new Case("invalid UTF-8 in a topic", publish5(badUtf8, new byte[] {1}), true),
                new Case("NUL character in a topic", publish5(nulTopic, new byte[] {1}), true),
                new Case("property length beyond the packet", hugeProperties, true),
                new Case("second CONNECT", connect5("x", "y"), true),
                new Case("SUBSCRIBE with # in the middle", packet(0x82, new byte[] {0, 7, 0},
                        str("rtm/#/x".getBytes(StandardCharsets.US_ASCII)), new byte[] {1}), true),
                new Case("PUBLISH with QoS 3", packet(0x36, str("home/x".getBytes(StandardCharsets.US_ASCII)),
                        new byte[] {0, 1, 0}), true),
                // a packet cut short is waited for until the keep-alive runs out (1.5 x 2 s here), like any silence
                new Case("length says more than is sent, then silence", new byte[] {0x30, 0x7F, 0, 3, 'a'}, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedInput_closesOnlyThatConnection(final Case c) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
            s.setSoTimeout(15_000);
            final OutputStream out = s.getOutputStream();
            final InputStream in = s.getInputStream();
            if (c.authenticateFirst()) {
                final String uid = "raw-" + Math.abs(c.name().hashCode());
                out.write(connect5(uid, broker.token(uid), 2));
                out.flush();
                final int first = in.read();
                assertThat(first).as("CONNACK").isEqualTo(0x20);
                final int len = in.read();
                final byte[] ack = in.readNBytes(len);
                assertThat(ack[1]).as("CONNACK reason").isZero();
            }
            out.write(c.bytes());
            out.flush();
            assertThat(closedByBroker(in)).as(c.name() + ": the broker closes the connection").isTrue();
        }
        // the broker is still up and the bystander's session unaffected
        final Mqtt5BlockingClient sender = connect(broker, "after-" + Math.abs(c.name().hashCode()));
        final var ack = publish(sender, "rtm/user/bystander/inbox/" + "after-" + Math.abs(c.name().hashCode()), c.name());
        assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
        assertThat(text(next(bystanderInbox))).isEqualTo(c.name());
        sender.disconnect();
    }

    /** Reads until the broker closes the socket; a DISCONNECT (0xE0) packet before that is fine. */
    private static boolean closedByBroker(final InputStream in) throws IOException {
        try {
            while (true) {
                final int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (final SocketTimeoutException e) {
            return false;
        } catch (final IOException reset) {
            return true;
        }
    }

    @Test
    void aFloodOfHalfOpenConnections_doesNotStopTheBroker() throws Exception {
        final Socket[] sockets = new Socket[200];
        try {
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = new Socket(InetAddress.getLoopbackAddress(), broker.port());
                sockets[i].getOutputStream().write(new byte[] {0x10, 0x20, 0, 4}); // a CONNECT that never finishes
            }
            final Mqtt5BlockingClient sender = connect(broker, "flood-check");
            assertThat(prop(publish(sender, "rtm/user/bystander/inbox/flood-check", "still here"), "rtm-status"))
                    .isEqualTo("delivered");
            assertThat(text(next(bystanderInbox))).isEqualTo("still here");
            sender.disconnect();
        } finally {
            for (final Socket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
