package org.openrtm.broker.coap;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Clients;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Props;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, item 3: over plain CoAP an empty ACK is only an address and a 16-bit message id. A device observes its
 * inbox and goes quiet; an attacker who binds the device's address and port (here: the port the device left, on
 * loopback) sends all 65,536 empty ACKs without reading anything, as an off-path spoofer would. The notification's
 * id is random, so the guesses that miss arrive around the one that hits; the gateway sees them, does not take the
 * acknowledgement as delivery (no receipt for the sender), and sends the message again when the device next names
 * its session id.
 */
class CoapSpoofedAckIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of(),
            Map.of("coap.ack-timeout", "2s", "coap.max-retransmit", "4", "coap.nosec", "any"));

    /** Alice asks for receipts: a receipt is the evidence of delivery this test watches. */
    private static final Map<String, String> RECEIPT = Map.of(Props.RECEIPT, Props.TRUE);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (final AutoCloseable c : toClose) {
            c.close();
        }
    }

    private CoapDevice device() throws Exception {
        final CoapDevice d = CoapDevice.udp(broker.coapPort());
        toClose.add(d);
        return d;
    }

    private Mqtt5BlockingClient mqtt(final String uid) {
        final Mqtt5BlockingClient c = Clients.connect(broker, uid);
        toClose.add(c::disconnect);
        return c;
    }

    @Test
    void allEmptyAcksFromTheDevicesAddress_deliverNothing_andTheDeviceGetsTheMessageWhenItObservesAgain()
            throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-s1");
        final BlockingQueue<Mqtt5Publish> events = Clients.subscribe(alice, "rtm/user/alice-s1/event");
        final CoapDevice d = device();
        final CoapResponse login = d.login("plug-s1", broker.token("plug-s1"), "ka=600");
        assertThat(login.getCode()).as(login.getResponseText()).isEqualTo(ResponseCode.CREATED);
        final CoapDevice.Observation inbox = d.observe("/rtm/user/plug-s1/inbox");
        final Mqtt5PubAck first = Clients.publish(alice, "rtm/user/plug-s1/inbox/alice-s1", "hello", RECEIPT);
        assertThat(inbox.next().getResponseText()).contains("hello");
        assertThat(Clients.text(Clients.next(events))).as("a real acknowledgement is a delivery")
                .contains("receipt").contains(Clients.prop(first, Props.ID));

        final int port = d.localPort();
        final String sid = d.sid;
        d.vanish();
        try (DatagramSocket attacker = new DatagramSocket(null)) {
            attacker.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            final Mqtt5PubAck secret = Clients.publish(alice, "rtm/user/plug-s1/inbox/alice-s1", "the secret plan", RECEIPT);
            assertThat(Clients.prop(secret, Props.STATUS)).isEqualTo("delivered");
            final InetSocketAddress gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.coapPort());
            for (int round = 0; round < 2; round++) {
                sprayEmptyAcks(attacker, gateway);
            }
            assertThat(Clients.poll(events, 3_000)).as("no receipt for a message the device never saw").isEmpty();

            // the device comes back (another port, as after a NAT rebinding) and observes with its session id
            final CoapDevice back = device();
            back.sid = sid;
            final CoapDevice.Observation again = back.observe("/rtm/user/plug-s1/inbox");
            assertThat(again.next().getResponseText()).contains("the secret plan");
            assertThat(Clients.text(Clients.next(events))).contains("receipt").contains(Clients.prop(secret, Props.ID));
        }
    }

    /**
     * Every possible empty ACK (version 1, type ACK, no token, code 0.00), message ids 0 to 65535, paced at about
     * 64,000 a second so that the gateway's socket buffer does not drop them (unpaced, most would be lost on the
     * receiving side and the attack would fail by luck, not by design).
     */
    private static void sprayEmptyAcks(final DatagramSocket from, final InetSocketAddress to) throws Exception {
        final byte[] ack = new byte[4];
        ack[0] = 0x60;
        final DatagramPacket p = new DatagramPacket(ack, 4, to);
        for (int mid = 0; mid < 65_536; mid++) {
            ack[2] = (byte) (mid >> 8);
            ack[3] = (byte) mid;
            from.send(p);
            if (mid % 64 == 63) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
    }
}
