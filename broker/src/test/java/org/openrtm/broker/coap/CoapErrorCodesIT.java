package org.openrtm.broker.coap;

import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.gateway.CoapGateway;
import org.openrtm.gateway.config.GatewayConfig;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The result codes of gateway-coap/README.md that the other tests do not reach: bad requests of every kind (4.00),
 * an unsupported Accept (4.06), the body limit with Size1 (4.13), a full gateway and an unreachable broker (5.03 with
 * Max-Age). Each answer carries a diagnostic payload. The last two use gateways started in the test, next to the
 * broker's own.
 */
class CoapErrorCodesIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of(), Map.of("coap.max-body-bytes", "2048"));

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (final AutoCloseable c : toClose) {
            c.close();
        }
    }

    private CoapDevice device(final int port) throws Exception {
        final CoapDevice d = CoapDevice.udp(port);
        toClose.add(d);
        return d;
    }

    private CoapGateway gateway(final Map<String, String> settings) throws Exception {
        final Map<String, String> all = new java.util.HashMap<>(Map.of("mqtt.server", "tcp://127.0.0.1:" + broker.port(),
                "coap.port", "0", "coaps.port", "-1", "mqtt.connect-timeout", "2s"));
        all.putAll(settings);
        final CoapGateway g = CoapGateway.builder().config(GatewayConfig.of(all)).build().start();
        toClose.add(g);
        return g;
    }

    private static void assertCode(final CoapResponse r, final ResponseCode code, final String text) {
        assertThat(r).as("a response").isNotNull();
        assertThat(r.getCode()).as(r.getResponseText()).isEqualTo(code);
        assertThat(r.getResponseText()).contains(text);
    }

    @Test
    void badRequests_are400_withTheRuleInThePayload() throws Exception {
        final CoapDevice d = device(broker.coapPort());
        assertCode(d.login("plug-e1", broker.token("plug-e1"), "ka=soon"), ResponseCode.BAD_REQUEST, "ka must be");
        assertCode(d.login("plug-e1", broker.token("plug-e1"), "colour=red"), ResponseCode.BAD_REQUEST,
                "unknown login query parameter");
        assertCode(d.send(Request.newPost(), "/session"), ResponseCode.BAD_REQUEST, "the uid is missing");
        assertThat(d.login("plug-e1", broker.token("plug-e1")).getCode()).isEqualTo(ResponseCode.CREATED);
        assertCode(d.post("/rtm", "x"), ResponseCode.BAD_REQUEST, "names no topic");
        assertCode(d.post("/rtm/user/bob/inbox", "x", "exp=-1"), ResponseCode.BAD_REQUEST, "exp must be");
        assertCode(d.post("/rtm/channel/" + "c".repeat(65) + "/msg", "x"), ResponseCode.BAD_REQUEST, "64");
        assertCode(d.send(Request.newGet(), "/rtm/user/bob/presence", "cid=1"), ResponseCode.BAD_REQUEST, "only s");
        final Request observe = Request.newGet();
        observe.setObserve();
        assertCode(d.send(observe, "/rtm/nothing/here"), ResponseCode.BAD_REQUEST, "");
        assertCode(d.send(Request.newPost(), "/session/" + d.sid, "cid=1"), ResponseCode.BAD_REQUEST, "only s");
    }

    @Test
    void unauthenticated_is401_andEveryAnswerSaysWhatToDo() throws Exception {
        final CoapDevice d = device(broker.coapPort());
        assertCode(d.post("/rtm/user/bob/inbox", "x"), ResponseCode.UNAUTHORIZED, "log in");
        assertCode(d.login("plug-e2", broker.token("someone-else")), ResponseCode.UNAUTHORIZED, "");
        d.sid = "AAAAAAAAAAAAAAAA";
        assertCode(d.post("/rtm/user/bob/inbox", "x"), ResponseCode.UNAUTHORIZED, "unknown or has ended");
        assertCode(d.heartbeat(), ResponseCode.UNAUTHORIZED, "log in again");
    }

    @Test
    void anUnsupportedAccept_is406_andABodyOverTheGatewaysLimitIs413WithSize1() throws Exception {
        final CoapDevice d = device(broker.coapPort());
        assertThat(d.login("plug-e3", broker.token("plug-e3")).getCode()).isEqualTo(ResponseCode.CREATED);
        final Request xml = Request.newGet();
        xml.setObserve();
        xml.getOptions().setAccept(MediaTypeRegistry.APPLICATION_XML);
        assertCode(d.send(xml, "/rtm/user/plug-e3/inbox"), ResponseCode.NOT_ACCEPTABLE, "application/json");
        final CoapResponse big = d.post("/rtm/user/bob/inbox", new byte[2049]);
        assertCode(big, ResponseCode.REQUEST_ENTITY_TOO_LARGE, "");
        // Californium's block-wise layer answers a body over coap.max-body-bytes itself, with the limit as Size1
        assertThat(big.getOptions().getSize1()).isEqualTo(2048);
        assertThat(d.post("/rtm/user/bob/inbox", new byte[2048]).getCode()).as("at the limit").isEqualTo(ResponseCode.CREATED);
    }

    @Test
    void aFullGateway_is503_withMaxAge_andSoIsABrokerThatCannotBeReached() throws Exception {
        final CoapGateway small = gateway(Map.of("session.max", "1"));
        final CoapDevice first = device(small.coapPort());
        assertThat(first.login("plug-e4", broker.token("plug-e4")).getCode()).isEqualTo(ResponseCode.CREATED);
        final CoapDevice second = device(small.coapPort());
        final CoapResponse full = second.login("plug-e5", broker.token("plug-e5"));
        assertCode(full, ResponseCode.SERVICE_UNAVAILABLE, "session.max");
        assertThat(full.getOptions().getMaxAge()).isPositive();
        assertThat(first.logout().getCode()).isEqualTo(ResponseCode.DELETED);
        assertThat(second.login("plug-e5", broker.token("plug-e5")).getCode()).as("room again after a logout")
                .isEqualTo(ResponseCode.CREATED);

        final int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        final CoapGateway orphan = gateway(Map.of("mqtt.server", "tcp://127.0.0.1:" + closed));
        final CoapResponse down = device(orphan.coapPort()).login("plug-e6", broker.token("plug-e6"));
        assertCode(down, ResponseCode.SERVICE_UNAVAILABLE, "not reachable");
        assertThat(down.getOptions().getMaxAge()).isPositive();
        assertThat(orphan.sessionCount()).as("a failed login leaves no session").isZero();
    }
}
