package org.openrtm.broker.coap;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Clients;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Props;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What CoAP devices share with everybody through the gateway: presence (as MQTT clients see it, and as devices read
 * and observe it), user and channel attributes (revisions, ETags, conditional writes, conflicts, limits) and channels
 * (join by observing, send, receive, group sends, leave). Real Californium clients next to real MQTT clients.
 */
class CoapStateIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(
            Map.of("presence.grace", "1s", "attr.max-value-bytes", "1000"),
            Map.of("coap.ack-timeout", "200ms", "coap.max-retransmit", "2"));

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (final AutoCloseable c : toClose) {
            c.close();
        }
    }

    private CoapDevice loggedIn(final String uid, final String... query) throws Exception {
        final CoapDevice d = CoapDevice.udp(broker.coapPort());
        toClose.add(d);
        final CoapResponse r = d.login(uid, broker.token(uid), query);
        assertThat(r.getCode()).as(r.getResponseText()).isEqualTo(ResponseCode.CREATED);
        return d;
    }

    private Mqtt5BlockingClient mqtt(final String uid) {
        final Mqtt5BlockingClient c = Clients.connect(broker, uid);
        toClose.add(c::disconnect);
        return c;
    }

    private static Request put(final String value) {
        final Request r = Request.newPut();
        r.setPayload(value);
        return r;
    }

    /** The next presence message of a subscription, skipping repeats of the same state. */
    private static String nextState(final BlockingQueue<Mqtt5Publish> q, final String previous) throws InterruptedException {
        while (true) {
            final String text = Clients.text(Clients.next(q));
            if (!text.contains("\"state\":\"" + previous + "\"")) {
                return text;
            }
        }
    }

    /** The next channel message sent by {@code from} (an MQTT member may also get its own messages back). */
    private static Mqtt5Publish nextFrom(final BlockingQueue<Mqtt5Publish> q, final String from) throws InterruptedException {
        while (true) {
            final Mqtt5Publish p = Clients.next(q);
            if (p.getTopic().toString().endsWith("/" + from)) {
                return p;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- presence

    @Test
    void presence_aDeviceIsOnlineViaCoap_unreachableWhenSilent_thenOffline_andALogoutIsOfflineAtOnce() throws Exception {
        final Mqtt5BlockingClient watcher = mqtt("watcher-p");
        final BlockingQueue<Mqtt5Publish> quiet = Clients.subscribe(watcher, "rtm/user/plug-p1/presence");
        final BlockingQueue<Mqtt5Publish> polite = Clients.subscribe(watcher, "rtm/user/plug-p2/presence");

        loggedIn("plug-p1", "ka=1");
        final String online = Clients.text(Clients.next(quiet));
        assertThat(online).contains("\"state\":\"online\"").contains("\"via\":\"coap\"");
        final String unreachable = nextState(quiet, "online");
        assertThat(unreachable).as("silent beyond its keep-alive: lost, not logged out")
                .contains("\"state\":\"unreachable\"").contains("\"via\":\"coap\"");
        assertThat(nextState(quiet, "unreachable")).as("after the grace period").contains("\"state\":\"offline\"");

        final CoapDevice p2 = loggedIn("plug-p2", "ka=60");
        assertThat(Clients.text(Clients.next(polite))).contains("\"state\":\"online\"").contains("\"via\":\"coap\"");
        assertThat(p2.logout().getCode()).isEqualTo(ResponseCode.DELETED);
        assertThat(nextState(polite, "online")).as("a logout is a DISCONNECT: offline at once")
                .contains("\"state\":\"offline\"");
    }

    @Test
    void presence_devicesReadItWithGet_andFollowItWithObserve() throws Exception {
        mqtt("phone-p3");
        final CoapDevice d = loggedIn("plug-p3");
        final CoapResponse read = d.send(Request.newGet(), "/rtm/user/phone-p3/presence");
        assertThat(read.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(read.getResponseText()).contains("\"topic\":\"rtm/user/phone-p3/presence\"")
                .contains("\\\"state\\\":\\\"online\\\"").contains("\\\"via\\\":\\\"mqtt\\\"");
        final CoapResponse never = d.send(Request.newGet(), "/rtm/user/never-seen-p3/presence");
        assertThat(never.getCode()).as("nothing retained for a user never seen").isEqualTo(ResponseCode.NOT_FOUND);

        final CoapDevice.Observation other = d.observe("/rtm/user/plug-p4/presence");
        final CoapDevice p4 = loggedIn("plug-p4");
        assertThat(other.next().getResponseText()).contains("\\\"state\\\":\\\"online\\\"")
                .contains("\\\"via\\\":\\\"coap\\\"");
        p4.logout();
        assertThat(other.next().getResponseText()).contains("\\\"state\\\":\\\"offline\\\"");
    }

    // -------------------------------------------------------------------------------------------------- attributes

    @Test
    void userAttributes_putGetDelete_carryRevisionsAsPayloadAndETag_andMqttClientsSeeTheStamps() throws Exception {
        final Mqtt5BlockingClient app = mqtt("app-a1");
        final BlockingQueue<Mqtt5Publish> attrs = Clients.subscribe(app, "rtm/user/meter-a1/attr/+");
        final CoapDevice d = loggedIn("meter-a1");

        final CoapResponse first = d.send(put("1.0"), "/rtm/user/meter-a1/attr/fw");
        assertThat(first.getCode()).as(first.getResponseText()).isEqualTo(ResponseCode.CHANGED);
        assertThat(first.getResponseText()).as("the new revision").isEqualTo("1");
        assertThat(first.getOptions().getETags()).containsExactly(new byte[] {1});
        final Mqtt5Publish seen = Clients.next(attrs);
        assertThat(seen.getTopic().toString()).isEqualTo("rtm/user/meter-a1/attr/fw");
        assertThat(Clients.text(seen)).isEqualTo("1.0");
        assertThat(Clients.prop(seen, Props.BY)).isEqualTo("meter-a1");
        assertThat(Clients.prop(seen, Props.REV)).isEqualTo("1");

        final CoapResponse got = d.send(Request.newGet(), "/rtm/user/meter-a1/attr/fw");
        assertThat(got.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(got.getResponseText()).contains("\"by\":\"meter-a1\"").contains("\"rev\":1").contains("\"payload\":\"1.0\"");
        assertThat(got.getOptions().getETags()).containsExactly(new byte[] {1});

        final Request ifMatch = put("1.1");
        ifMatch.getOptions().addIfMatch(got.getOptions().getETags().get(0));
        final CoapResponse second = d.send(ifMatch, "/rtm/user/meter-a1/attr/fw");
        assertThat(second.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(second.getResponseText()).isEqualTo("2");
        assertThat(Clients.text(Clients.next(attrs))).isEqualTo("1.1");

        final Request stale = put("1.0-again");
        stale.getOptions().addIfMatch(new byte[] {1});
        final CoapResponse conflict = d.send(stale, "/rtm/user/meter-a1/attr/fw");
        assertThat(conflict.getCode()).as("a stale If-Match is the server's conflict")
                .isEqualTo(ResponseCode.PRECONDITION_FAILED);
        assertThat(conflict.getResponseText()).contains("revision 2").contains("revision 1");
        final CoapResponse staleQuery = d.send(put("x"), "/rtm/user/meter-a1/attr/fw", "ifrev=7");
        assertThat(staleQuery.getCode()).isEqualTo(ResponseCode.PRECONDITION_FAILED);

        final Request create = put("SN-0001");
        create.getOptions().setIfNoneMatch(true);
        assertThat(d.send(create, "/rtm/user/meter-a1/attr/serial").getCode()).isEqualTo(ResponseCode.CHANGED);
        final Request createAgain = put("SN-0002");
        createAgain.getOptions().setIfNoneMatch(true);
        assertThat(d.send(createAgain, "/rtm/user/meter-a1/attr/serial").getCode()).as("If-None-Match on an existing key")
                .isEqualTo(ResponseCode.PRECONDITION_FAILED);
        assertThat(Clients.text(Clients.next(attrs))).isEqualTo("SN-0001");

        final CoapResponse deleted = d.send(Request.newDelete(), "/rtm/user/meter-a1/attr/fw");
        assertThat(deleted.getCode()).isEqualTo(ResponseCode.DELETED);
        assertThat(deleted.getResponseText()).as("the tombstone's revision").isEqualTo("3");
        final Mqtt5Publish gone = Clients.next(attrs);
        assertThat(gone.getPayloadAsBytes()).as("a delete reaches subscribers as an empty message").isEmpty();
        assertThat(d.send(Request.newGet(), "/rtm/user/meter-a1/attr/fw").getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        final CoapResponse back = d.send(put("2.0"), "/rtm/user/meter-a1/attr/fw");
        assertThat(back.getResponseText()).as("revisions never go back").isEqualTo("4");
    }

    @Test
    void userAttributes_limitsAndRules_answerWithTheProtocolsCodes() throws Exception {
        final Mqtt5BlockingClient app = mqtt("app-a2");
        final Mqtt5PubAck own = Clients.publishRetained(app, "rtm/user/app-a2/attr/theme", "dark".getBytes(), Map.of());
        assertThat(Clients.prop(own, Props.STATUS)).isEqualTo("delivered");
        final CoapDevice d = loggedIn("meter-a2");

        final CoapResponse others = d.send(Request.newGet(), "/rtm/user/app-a2/attr/theme");
        assertThat(others.getCode()).as("anyone may read").isEqualTo(ResponseCode.CONTENT);
        assertThat(others.getResponseText()).contains("\"by\":\"app-a2\"").contains("\"payload\":\"dark\"");
        final CoapResponse write = d.send(put("light"), "/rtm/user/app-a2/attr/theme");
        assertThat(write.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        final CoapResponse delete = d.send(Request.newDelete(), "/rtm/user/app-a2/attr/theme");
        assertThat(delete.getCode()).isEqualTo(ResponseCode.FORBIDDEN);

        final CoapResponse tooBig = d.send(put("v".repeat(1001)), "/rtm/user/meter-a2/attr/blob");
        assertThat(tooBig.getCode()).as("the server's attr.max-value-bytes").isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        assertThat(tooBig.getResponseText()).contains("1000");
        final CoapResponse badKey = d.send(put("x"), "/rtm/user/meter-a2/attr/" + "k".repeat(33));
        assertThat(badKey.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        final Request twoConditions = put("x");
        twoConditions.getOptions().addIfMatch(new byte[] {1}).setIfNoneMatch(true);
        assertThat(d.send(twoConditions, "/rtm/user/meter-a2/attr/k").getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        final Request notOurETag = put("x");
        notOurETag.getOptions().addIfMatch(new byte[0]);
        final CoapResponse empty = d.send(notOurETag, "/rtm/user/meter-a2/attr/k");
        assertThat(empty.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(empty.getResponseText()).contains("If-Match");
    }

    @Test
    void channelAttributes_areWrittenByMembersOnly() throws Exception {
        final Mqtt5BlockingClient host = mqtt("host-a3");
        Clients.subscribe(host, "rtm/channel/lab-a3/msg/+");
        final BlockingQueue<Mqtt5Publish> attrs = Clients.subscribe(host, "rtm/channel/lab-a3/attr/+");
        final CoapDevice d = loggedIn("sensor-a3");
        final CoapResponse outsider = d.send(put("22 C"), "/rtm/channel/lab-a3/attr/setpoint");
        assertThat(outsider.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(outsider.getResponseText()).contains("not a member");

        d.observe("/rtm/channel/lab-a3/msg");
        final CoapResponse member = d.send(put("22 C"), "/rtm/channel/lab-a3/attr/setpoint");
        assertThat(member.getCode()).as(member.getResponseText()).isEqualTo(ResponseCode.CHANGED);
        assertThat(member.getResponseText()).isEqualTo("1");
        final Mqtt5Publish seen = Clients.next(attrs);
        assertThat(Clients.text(seen)).isEqualTo("22 C");
        assertThat(Clients.prop(seen, Props.BY)).isEqualTo("sensor-a3");
        final CoapResponse read = d.send(Request.newGet(), "/rtm/channel/lab-a3/attr/setpoint");
        assertThat(read.getResponseText()).contains("\"rev\":1").contains("\"by\":\"sensor-a3\"");
        assertThat(d.send(Request.newDelete(), "/rtm/channel/lab-a3/attr/setpoint").getCode()).isEqualTo(ResponseCode.DELETED);
    }

    // ---------------------------------------------------------------------------------------------------- channels

    @Test
    void channels_observingJoins_devicesSendAndReceive_groupSendsFilter_cancellingLeaves() throws Exception {
        final Mqtt5BlockingClient mia = mqtt("mia-c1");
        final BlockingQueue<Mqtt5Publish> miaMsgs = Clients.subscribe(mia, "rtm/channel/kitchen-c1/msg/+");
        final BlockingQueue<Mqtt5Publish> members = Clients.subscribe(mia, "rtm/channel/kitchen-c1/member/+");
        final Mqtt5BlockingClient leo = mqtt("leo-c1");
        final BlockingQueue<Mqtt5Publish> leoMsgs = Clients.subscribe(leo, "rtm/channel/kitchen-c1/msg/+");
        final CoapDevice d = loggedIn("plug-c1");

        final CoapResponse outsider = d.post("/rtm/channel/kitchen-c1/msg", "not yet");
        assertThat(outsider.getCode()).as("sending needs membership").isEqualTo(ResponseCode.FORBIDDEN);

        final CoapDevice.Observation channel = d.observe("/rtm/channel/kitchen-c1/msg");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            final Mqtt5Publish m = Clients.next(members);
            return m.getTopic().toString().endsWith("/plug-c1") && Clients.text(m).contains("since");
        });

        final Mqtt5PubAck ack = Clients.publish(mia, "rtm/channel/kitchen-c1/msg/mia-c1", "lights off");
        assertThat(Clients.prop(ack, Props.RECIPIENTS)).isEqualTo("2");
        final CoapResponse n = channel.next();
        assertThat(n.getResponseText()).contains("\"topic\":\"rtm/channel/kitchen-c1/msg/mia-c1\"")
                .contains("\"payload\":\"lights off\"");
        Clients.next(leoMsgs);

        final CoapResponse sent = d.post("/rtm/channel/kitchen-c1/msg", "done");
        assertThat(sent.getCode()).isEqualTo(ResponseCode.CHANGED);
        final Mqtt5Publish atMia = nextFrom(miaMsgs, "plug-c1");
        assertThat(atMia.getTopic().toString()).isEqualTo("rtm/channel/kitchen-c1/msg/plug-c1");
        assertThat(Clients.text(atMia)).isEqualTo("done");
        assertThat(Clients.text(Clients.next(leoMsgs))).isEqualTo("done");
        assertThat(channel.poll(300)).as("a device does not get its own channel messages back").isNull();

        assertThat(d.post("/rtm/channel/kitchen-c1/msg", "for leo", "only=leo-c1").getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(Clients.text(Clients.next(leoMsgs))).isEqualTo("for leo");
        assertThat(d.post("/rtm/channel/kitchen-c1/msg", "not for leo", "except=leo-c1").getCode())
                .isEqualTo(ResponseCode.CHANGED);
        assertThat(Clients.text(nextFrom(miaMsgs, "plug-c1"))).as("mia got only the second").isEqualTo("not for leo");
        assertThat(Clients.poll(leoMsgs, 300)).isEmpty();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final CoapResponse count = d.send(Request.newGet(), "/rtm/channel/kitchen-c1/count");
            assertThat(count.getCode()).isEqualTo(ResponseCode.CONTENT);
            assertThat(count.getResponseText()).contains("\"payload\":\"3\"");
        });

        channel.relation().proactiveCancel();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            final Mqtt5Publish m = Clients.next(members);
            return m.getTopic().toString().endsWith("/plug-c1") && m.getPayloadAsBytes().length == 0;
        });
        assertThat(d.post("/rtm/channel/kitchen-c1/msg", "gone").getCode()).as("left: not a member any more")
                .isEqualTo(ResponseCode.FORBIDDEN);
    }
}
