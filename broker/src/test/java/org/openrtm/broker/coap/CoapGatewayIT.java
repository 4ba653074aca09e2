package org.openrtm.broker.coap;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Clients;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.gateway.DevicePsk;
import org.openrtm.protocol.Props;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The CoAP gateway inside the broker, with real Californium clients over loopback next to real MQTT clients.
 * Short CoAP retransmission settings make "retransmissions ran out" take about two seconds.
 */
class CoapGatewayIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(
            Map.of("limits.rate-per-second", "20", "limits.rate-burst", "20"),
            Map.of("coap.ack-timeout", "200ms", "coap.max-retransmit", "2", "coap.transfer-timeout", "5s"));

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

    private CoapDevice loggedIn(final String uid, final String... query) throws Exception {
        final CoapDevice d = device();
        final CoapResponse r = d.login(uid, broker.token(uid), query);
        assertThat(r.getCode()).as(r.getResponseText()).isEqualTo(ResponseCode.CREATED);
        return d;
    }

    private Mqtt5BlockingClient mqtt(final String uid) {
        final Mqtt5BlockingClient c = Clients.connect(broker, uid);
        toClose.add(c::disconnect);
        return c;
    }

    private static Request observeRequest() {
        final Request r = Request.newGet();
        r.setObserve();
        return r;
    }

    /** Records how each connection of the given uids ended, as the extension saw it. */
    private Map<String, Sessions.CloseKind> closeKinds() {
        final Map<String, Sessions.CloseKind> kinds = new ConcurrentHashMap<>();
        broker.broker().runtime().sessions().addListener(new Sessions.Listener() {
            @Override
            public void disconnected(final Connection connection, final Sessions.CloseKind kind, final boolean wasCurrent) {
                kinds.put(connection.uid(), kind);
            }
        });
        return kinds;
    }

    // ------------------------------------------------------------------------------------------------------- login

    @Test
    void login_opensAnMqttSessionMarkedCoap_andHeartbeatsKeepIt() throws Exception {
        final CoapDevice d = device();
        final CoapResponse r = d.login("plug-1", broker.token("plug-1"), "ka=30");
        assertThat(r.getCode()).isEqualTo(ResponseCode.CREATED);
        assertThat(r.getOptions().getLocationPath()).containsExactly("session", d.sid);
        assertThat(r.getResponseText()).contains("\"sid\":\"" + d.sid + "\"").contains("\"keepalive\":30");
        final Connection c = broker.broker().runtime().sessions().current("plug-1");
        assertThat(c).isNotNull();
        assertThat(c.via()).isEqualTo(Connection.Via.COAP);
        final CoapResponse hb = d.heartbeat();
        assertThat(hb.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(hb.getResponseText()).contains("\"uid\":\"plug-1\"");
    }

    @Test
    void login_failures_mapToCoapCodesWithTheServersReason() throws Exception {
        final CoapDevice d = device();
        final CoapResponse wrongSubject = d.login("eve", broker.token("alice"));
        assertThat(wrongSubject.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(wrongSubject.getResponseText()).contains("does not match");
        final CoapResponse garbage = d.login("eve", "not-a-token");
        assertThat(garbage.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        final CoapResponse badUid = d.login("a%20b", broker.token("alice"));
        assertThat(badUid.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(badUid.getResponseText()).contains("uid must be");
        final Request noToken = Request.newPost();
        final CoapResponse missing = d.send(noToken, "/session", "u=eve");
        assertThat(missing.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(missing.getResponseText()).contains("token is missing");
        d.sid = "no-such-session";
        final CoapResponse unknown = d.post("/rtm/user/bob/inbox", "hi");
        assertThat(unknown.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(unknown.getResponseText()).contains("unknown");
    }

    // ------------------------------------------------------------------------------------------------------ messages

    @Test
    void post_sendsAPeerMessage_asTheDevice_withTheOutcomeAsCode() throws Exception {
        final Mqtt5BlockingClient bob = mqtt("bob-1");
        final BlockingQueue<Mqtt5Publish> inbox = Clients.subscribe(bob, "rtm/user/bob-1/inbox/+");
        final CoapDevice d = loggedIn("sensor-1");
        final CoapResponse r = d.post("/rtm/user/bob-1/inbox", "21.5 C");
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        final Mqtt5Publish p = Clients.next(inbox);
        assertThat(p.getTopic().toString()).isEqualTo("rtm/user/bob-1/inbox/sensor-1");
        assertThat(Clients.text(p)).isEqualTo("21.5 C");
        assertThat(r.getResponseText()).isEqualTo(Clients.prop(p, Props.ID));

        final CoapResponse cached = d.post("/rtm/user/nobody-1/inbox/sensor-1", "later");
        assertThat(cached.getCode()).isEqualTo(ResponseCode.CREATED);
        final CoapResponse unreachable = d.post("/rtm/user/nobody-1/inbox", "now or never", "offline=false");
        assertThat(unreachable.getCode()).isEqualTo(ResponseCode.NOT_FOUND);

        final CoapResponse non = d.postNon("/rtm/user/bob-1/inbox", "fire and forget");
        assertThat(non.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(Clients.text(Clients.next(inbox))).isEqualTo("fire and forget");
    }

    @Test
    void errors_everyRefusalHasItsCodeAndTheServersReason() throws Exception {
        final CoapDevice d = loggedIn("sensor-2");
        final CoapResponse spoofed = d.post("/rtm/user/bob/inbox/eve", "spoof");
        assertThat(spoofed.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(spoofed.getResponseText()).isNotEmpty();
        final CoapResponse serverOnly = d.post("/rtm/user/sensor-2/event", "x");
        assertThat(serverOnly.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(serverOnly.getResponseText()).contains("written only by the server");
        final CoapResponse badLevel = d.post("/rtm/user/b%20b/inbox", "x");
        assertThat(badLevel.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        final CoapResponse badProperty = d.post("/rtm/user/bob/inbox", "x", "offline=maybe");
        assertThat(badProperty.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(badProperty.getResponseText()).contains("rtm-offline must be true or false");
        final CoapResponse unknownParam = d.post("/rtm/user/bob/inbox", "x", "colour=red");
        assertThat(unknownParam.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        final CoapResponse tooLarge = d.post("/rtm/user/bob/inbox", new byte[8193]);
        assertThat(tooLarge.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        final CoapResponse putOnInbox = d.send(Request.newPut(), "/rtm/user/bob/inbox/sensor-2");
        assertThat(putOnInbox.getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
        final Request put = Request.newPut();
        put.setPayload("2.1.0");
        final CoapResponse othersAttribute = d.send(put, "/rtm/user/bob/attr/firmware");
        assertThat(othersAttribute.getCode()).as("someone else's attribute").isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(othersAttribute.getResponseText()).contains("only your own user attributes");
        final CoapResponse postOnAttribute = d.post("/rtm/user/sensor-2/attr/firmware", "2.1.0");
        assertThat(postOnAttribute.getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
        final CoapResponse readInbox = d.send(Request.newGet(), "/rtm/user/sensor-2/inbox");
        assertThat(readInbox.getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
        final CoapResponse otherInbox = d.send(observeRequest(), "/rtm/user/bob/inbox");
        assertThat(otherInbox.getCode()).as("observing someone else's inbox").isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(otherInbox.getOptions().hasObserve()).isFalse();

        final List<CoapResponse> flood = d.postAll("/rtm/user/nobody-2/inbox", 100);
        assertThat(flood).allSatisfy(r -> assertThat(r.getCode()).isIn(ResponseCode.CREATED, ResponseCode.TOO_MANY_REQUESTS));
        final CoapResponse limited = flood.stream().filter(r -> r.getCode() == ResponseCode.TOO_MANY_REQUESTS).findFirst()
                .orElse(null);
        assertThat(limited).as("rate limit of 20/s reached by 100 requests at once").isNotNull();
        assertThat(limited.getOptions().getMaxAge()).as("Max-Age from the server's retry hint").isBetween(1L, 2L);
        assertThat(limited.getResponseText()).contains("rate limit");
    }

    @Test
    void observeInbox_receivesPeerMessages_andTheSenderGetsAReceiptOnlyAfterTheDeviceAcknowledged() throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-3");
        final BlockingQueue<Mqtt5Publish> events = Clients.subscribe(alice, "rtm/user/alice-3/event");
        final CoapDevice d = loggedIn("plug-3");
        final CoapDevice.Observation inbox = d.observe("/rtm/user/plug-3/inbox");
        assertThat(inbox.relation().isCanceled()).isFalse();
        final Mqtt5PubAck ack = Clients.publish(alice, "rtm/user/plug-3/inbox/alice-3", "{\"on\":true}",
                Map.of(Props.RECEIPT, Props.TRUE));
        assertThat(Clients.prop(ack, Props.STATUS)).isEqualTo("delivered");
        final CoapResponse n = inbox.next();
        assertThat(n.getOptions().getContentFormat()).isEqualTo(50);
        assertThat(n.getResponseText()).contains("\"topic\":\"rtm/user/plug-3/inbox/alice-3\"")
                .contains("\"payload\":\"{\\\"on\\\":true}\"").contains("\"id\":\"" + Clients.prop(ack, Props.ID) + "\"");
        final String receipt = Clients.text(Clients.next(events));
        assertThat(receipt).contains("\"type\":\"receipt\"").contains(Clients.prop(ack, Props.ID)).contains("plug-3");

        for (int i = 0; i < 5; i++) {
            Clients.publish(alice, "rtm/user/plug-3/inbox/alice-3", "m" + i);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(inbox.next().getResponseText()).as("in order").contains("\"payload\":\"m" + i + "\"");
        }
    }

    @Test
    void offlineCache_keepsMessagesForAnAbsentDevice_andDeliversThemWhenItObserves() throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-4");
        final BlockingQueue<Mqtt5Publish> events = Clients.subscribe(alice, "rtm/user/alice-4/event");
        final Mqtt5PubAck ack = Clients.publish(alice, "rtm/user/plug-4/inbox/alice-4", "turn off",
                Map.of(Props.RECEIPT, Props.TRUE));
        assertThat(Clients.prop(ack, Props.STATUS)).isEqualTo("cached");
        final CoapDevice d = loggedIn("plug-4");
        final Mqtt5PubAck stillCached = Clients.publish(alice, "rtm/user/plug-4/inbox/alice-4", "and on again",
                Map.of(Props.RECEIPT, Props.TRUE));
        assertThat(Clients.prop(stillCached, Props.STATUS)).as("logged in but not observing: not reachable")
                .isEqualTo("cached");
        assertThat(Clients.poll(events, 300)).isEmpty();
        final CoapDevice.Observation inbox = d.observe("/rtm/user/plug-4/inbox");
        assertThat(inbox.next().getResponseText()).contains("\"offline\":true").contains("turn off");
        assertThat(inbox.next().getResponseText()).contains("and on again");
        assertThat(Clients.text(Clients.next(events))).contains(Clients.prop(ack, Props.ID));
        assertThat(Clients.text(Clients.next(events))).contains(Clients.prop(stillCached, Props.ID));
    }

    @Test
    void blockwise_8192ByteBodies_travelBothWays() throws Exception {
        final Mqtt5BlockingClient bob = mqtt("bob-5");
        final BlockingQueue<Mqtt5Publish> inbox = Clients.subscribe(bob, "rtm/user/bob-5/inbox/+");
        final CoapDevice d = loggedIn("cam-5");
        final byte[] big = new byte[8192];
        Arrays.fill(big, (byte) 'x');
        big[0] = 'A';
        big[8191] = 'Z';
        final CoapResponse r = d.post("/rtm/user/bob-5/inbox", big);
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(Clients.next(inbox).getPayloadAsBytes()).isEqualTo(big);

        final CoapDevice.Observation obs = d.observe("/rtm/user/cam-5/inbox");
        final String text = new String(big, StandardCharsets.UTF_8);
        final Mqtt5PubAck ack = Clients.publish(bob, "rtm/user/cam-5/inbox/bob-5", text);
        assertThat(Clients.prop(ack, Props.STATUS)).isEqualTo("delivered");
        final CoapResponse n = obs.next();
        assertThat(n.getResponseText()).contains("\"payload\":\"A" + "x".repeat(8190) + "Z\"");
        Clients.publish(bob, "rtm/user/cam-5/inbox/bob-5", "small after big");
        assertThat(obs.next().getResponseText()).contains("small after big");
    }

    @Test
    void observeCleanup_onRst_dropsTheSubscription_soLaterMessagesAreCached() throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-6");
        final CoapDevice d = loggedIn("plug-6");
        final CoapDevice.Observation inbox = d.observe("/rtm/user/plug-6/inbox");
        inbox.relation().reactiveCancel();
        Clients.publish(alice, "rtm/user/plug-6/inbox/alice-6", "answered with RST");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Clients.prop(Clients.publish(alice, "rtm/user/plug-6/inbox/alice-6", "probe"), Props.STATUS))
                .isEqualTo("cached"));
        final CoapDevice.Observation again = d.observe("/rtm/user/plug-6/inbox");
        assertThat(again.next().getResponseText()).as("nothing lost").contains("answered with RST");
    }

    @Test
    void observeCleanup_whenRetransmissionsRunOut_dropsTheSubscription_andTheMessageWaitsInTheCache() throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-7");
        final BlockingQueue<Mqtt5Publish> events = Clients.subscribe(alice, "rtm/user/alice-7/event");
        final CoapDevice d = loggedIn("plug-7");
        d.observe("/rtm/user/plug-7/inbox");
        d.vanish();
        final Mqtt5PubAck lost = Clients.publish(alice, "rtm/user/plug-7/inbox/alice-7", "into the void",
                Map.of(Props.RECEIPT, Props.TRUE));
        assertThat(Clients.prop(lost, Props.STATUS)).isEqualTo("delivered");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                Clients.prop(Clients.publish(alice, "rtm/user/plug-7/inbox/alice-7", "probe"), Props.STATUS))
                .isEqualTo("cached"));
        assertThat(Clients.poll(events, 200)).as("no receipt for an unacknowledged notification").isEmpty();
        final CoapDevice back = device();
        back.sid = d.sid;
        final CoapDevice.Observation inbox = back.observe("/rtm/user/plug-7/inbox");
        assertThat(inbox.next().getResponseText()).contains("into the void");
        assertThat(Clients.text(Clients.next(events))).contains(Clients.prop(lost, Props.ID));
    }

    @Test
    void natRebinding_keepsTheSessionAndItsObservation() throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-8");
        final BlockingQueue<Mqtt5Publish> receipts = Clients.subscribe(alice, "rtm/user/alice-8/event");
        try (UdpRelay nat = new UdpRelay(broker.coapPort())) {
            final CoapDevice d = CoapDevice.udp(nat.port());
            toClose.add(d);
            assertThat(d.login("plug-8", broker.token("plug-8")).getCode()).isEqualTo(ResponseCode.CREATED);
            final CoapDevice.Observation inbox = d.observe("/rtm/user/plug-8/inbox");
            Clients.publish(alice, "rtm/user/plug-8/inbox/alice-8", "before", Map.of(Props.RECEIPT, Props.TRUE));
            assertThat(inbox.next().getResponseText()).contains("before");
            // NAT mappings change between exchanges: wait until the device's acknowledgement reached the gateway
            assertThat(Clients.text(Clients.next(receipts))).contains("\"type\":\"receipt\"");
            final int before = nat.publicPort();
            nat.rebind();
            assertThat(nat.publicPort()).isNotEqualTo(before);
            assertThat(d.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
            final Mqtt5PubAck ack = Clients.publish(alice, "rtm/user/plug-8/inbox/alice-8", "after");
            assertThat(Clients.prop(ack, Props.STATUS)).isEqualTo("delivered");
            assertThat(inbox.next().getResponseText()).contains("after");
            assertThat(d.post("/rtm/user/alice-8/inbox", "still me").getCode()).isEqualTo(ResponseCode.CREATED);
        }
    }

    @Test
    void udpMappingCut_inTheMiddleOfTraffic_losesNothing_andRepeatsCarryTheSameId() throws Exception {
        final Mqtt5BlockingClient alice = mqtt("alice-cut");
        try (UdpRelay nat = new UdpRelay(broker.coapPort())) {
            final CoapDevice d = CoapDevice.udp(nat.port());
            toClose.add(d);
            assertThat(d.login("plug-cut", broker.token("plug-cut")).getCode()).isEqualTo(ResponseCode.CREATED);
            final CoapDevice.Observation inbox = d.observe("/rtm/user/plug-cut/inbox");
            final int n = 16; // inside the test broker's rate limit for alice
            final List<String> statuses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i == n / 2) {
                    // the device's UDP mapping dies with notifications in flight; it comes back from a new port
                    nat.rebind();
                    assertThat(d.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
                }
                statuses.add(Clients.prop(Clients.publish(alice, "rtm/user/plug-cut/inbox/alice-cut", "m" + i),
                        Props.STATUS));
            }
            assertThat(statuses).allMatch(st -> st.equals("delivered") || st.equals("cached"));
            final List<String> got = new ArrayList<>();
            final Map<String, String> byId = new java.util.HashMap<>();
            CoapDevice.Observation current = inbox;
            while (got.size() < n) {
                CoapResponse r = current.poll(15_000);
                if (r == null) {
                    // the observation may have ended while the old mapping swallowed its notifications (retransmissions
                    // ran out): what was not acknowledged waits in the device's mailbox for the next observation
                    current = d.observe("/rtm/user/plug-cut/inbox");
                    r = current.next();
                }
                final JsonObject envelope = JsonParser.parseString(r.getResponseText()).getAsJsonObject();
                final String id = envelope.get("id").getAsString();
                final String body = envelope.get("payload").getAsString();
                final String earlier = byId.putIfAbsent(id, body);
                if (earlier != null) {
                    // a notification resent across the address change: the same message, recognisable by its rtm-id
                    assertThat(body).isEqualTo(earlier);
                    continue;
                }
                got.add(body);
            }
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add("m" + i);
            }
            assertThat(got).as("every message, in order (repeats dropped by rtm-id, as a device does)").isEqualTo(expected);
        }
    }

    @Test
    void sessionLoss_afterTheKeepAlive_closesTheMqttSideWithoutDisconnect_logoutWithDisconnect() throws Exception {
        final Map<String, Sessions.CloseKind> kinds = closeKinds();
        final CoapDevice quiet = loggedIn("plug-9", "ka=1");
        await().atMost(Duration.ofSeconds(5)).until(() -> kinds.containsKey("plug-9"));
        assertThat(kinds.get("plug-9")).isEqualTo(Sessions.CloseKind.LOST);
        assertThat(quiet.heartbeat().getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);

        final CoapDevice polite = loggedIn("plug-10", "ka=60");
        assertThat(polite.logout().getCode()).isEqualTo(ResponseCode.DELETED);
        await().atMost(Duration.ofSeconds(5)).until(() -> kinds.containsKey("plug-10"));
        assertThat(kinds.get("plug-10")).isEqualTo(Sessions.CloseKind.CLIENT);

        final CoapDevice busy = loggedIn("plug-11", "ka=2");
        for (int i = 0; i < 6; i++) {
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> true);
            assertThat(busy.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(kinds).doesNotContainKey("plug-11");
    }

    @Test
    void coapPings_fromTheSessionsAddress_countAsHeartbeats() throws Exception {
        final Map<String, Sessions.CloseKind> kinds = closeKinds();
        final CoapDevice d = loggedIn("plug-14", "ka=2");
        assertThat(d.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
        for (int i = 0; i < 8; i++) {
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> true);
            assertThat(d.ping()).isTrue();
        }
        assertThat(kinds).doesNotContainKey("plug-14");
        assertThat(d.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void secondLogin_takesTheSessionOver_andTheOldObservationEndsWith401() throws Exception {
        final CoapDevice first = loggedIn("plug-13");
        final CoapDevice.Observation old = first.observe("/rtm/user/plug-13/inbox");
        final CoapDevice second = loggedIn("plug-13");
        final var end = old.next();
        assertThat(end.getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(first.heartbeat().getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(second.heartbeat().getCode()).isEqualTo(ResponseCode.CHANGED);
        final Mqtt5BlockingClient alice = mqtt("alice-13");
        final CoapDevice.Observation inbox = second.observe("/rtm/user/plug-13/inbox");
        assertThat(Clients.prop(Clients.publish(alice, "rtm/user/plug-13/inbox/alice-13", "to the new session"), Props.STATUS))
                .isEqualTo("delivered");
        assertThat(inbox.next().getResponseText()).contains("to the new session");
    }

    @Test
    void dtls_withADerivedPsk_logsInAndSends_andAWrongKeyCannotShakeHands() throws Exception {
        final Mqtt5BlockingClient bob = mqtt("bob-12");
        final BlockingQueue<Mqtt5Publish> inbox = Clients.subscribe(bob, "rtm/user/bob-12/inbox/+");
        final byte[] key = DevicePsk.derive(EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8), "lock-12");
        try (UdpRelay nat = new UdpRelay(broker.coapsPort())) {
            final CoapDevice d = CoapDevice.dtls(nat.port(), "lock-12", key);
            toClose.add(d);
            assertThat(d.login("lock-12", broker.token("lock-12")).getCode()).isEqualTo(ResponseCode.CREATED);
            final CoapDevice.Observation own = d.observe("/rtm/user/lock-12/inbox");
            assertThat(d.post("/rtm/user/bob-12/inbox", "locked").getCode()).isEqualTo(ResponseCode.CHANGED);
            assertThat(Clients.text(Clients.next(inbox))).isEqualTo("locked");
            nat.rebind();
            d.sid = null; // over DTLS the identity finds the session
            assertThat(d.post("/rtm/user/bob-12/inbox", "moved").getCode()).as("Connection ID keeps the DTLS session")
                    .isEqualTo(ResponseCode.CHANGED);
            assertThat(Clients.text(Clients.next(inbox))).isEqualTo("moved");
            Clients.publish(bob, "rtm/user/lock-12/inbox/bob-12", "unlock");
            assertThat(own.next().getResponseText()).contains("unlock");
            final CoapResponse otherUid = d.login("bob-12", broker.token("bob-12"));
            assertThat(otherUid.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        }
        final byte[] wrong = key.clone();
        wrong[0] ^= 1;
        final CoapDevice intruder = CoapDevice.dtls(broker.coapsPort(), "lock-12", wrong);
        toClose.add(intruder);
        final Request r = Request.newPost();
        r.setPayload(broker.token("lock-12"));
        final CoapResponse refused;
        try {
            refused = intruder.send(r, "/session", "u=lock-12");
        } catch (final AssertionError expected) {
            return; // handshake failure surfaces as an exception
        }
        assertThat(refused).as("no response without a shared key").isNull();
    }
}
