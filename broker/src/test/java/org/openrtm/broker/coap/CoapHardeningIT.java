package org.openrtm.broker.coap;

import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.gateway.CoapGateway;
import org.openrtm.gateway.config.GatewayConfig;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's answers to what issue 18 found: query values and path segments MQTT would refuse (4.00 naming the
 * parameter, the session lives on), Proxy-Uri (5.05), the root (no Californium banner), login floods (4.29 with
 * Max-Age, per address and for the gateway), too many observations (4.03 naming the limit), a request of 7 KB in one
 * datagram (4.13 with the block size), a block longer than its size (4.08), and 4.13 texts that name the limits.
 */
class CoapHardeningIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of(), Map.of("session.max-observations", "3"));

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (final AutoCloseable c : toClose) {
            c.close();
        }
    }

    private CoapDevice device(final int port, final String host) throws Exception {
        final CoapDevice d = CoapDevice.udp(port, host);
        toClose.add(d);
        return d;
    }

    private CoapDevice loggedIn(final String uid) throws Exception {
        final CoapDevice d = device(broker.coapPort(), "127.0.0.1");
        final CoapResponse r = d.login(uid, broker.token(uid));
        assertThat(r.getCode()).as(r.getResponseText()).isEqualTo(ResponseCode.CREATED);
        return d;
    }

    private CoapGateway gateway(final Map<String, String> settings) throws Exception {
        final Map<String, String> all = new HashMap<>(Map.of("mqtt.server", "tcp://127.0.0.1:" + broker.port(),
                "coap.port", "0", "coaps.port", "-1"));
        all.putAll(settings);
        final CoapGateway g = CoapGateway.builder().config(GatewayConfig.of(all)).build().start();
        toClose.add(g);
        return g;
    }

    private static void assertCode(final CoapResponse r, final ResponseCode code, final String... texts) {
        assertThat(r).as("a response").isNotNull();
        assertThat(r.getCode()).as(r.getResponseText()).isEqualTo(code);
        for (final String t : texts) {
            assertThat(r.getResponseText()).contains(t);
        }
    }

    @Test
    void controlCharactersInQueryValuesOrPath_are400NamingTheParameter_andTheSessionLivesOn() throws Exception {
        final CoapDevice d = loggedIn("plug-h1");
        assertCode(d.post("/rtm/user/bob-h1/inbox", "x", "cid=a%01b"), ResponseCode.BAD_REQUEST,
                "query parameter cid", "U+0001");
        assertCode(d.post("/rtm/user/bob-h1/inbox", "x", "cid=a%00b"), ResponseCode.BAD_REQUEST,
                "query parameter cid", "U+0000");
        assertCode(d.post("/rtm/channel/room-h1/msg", "x", "only=a%00b"), ResponseCode.BAD_REQUEST,
                "query parameter only", "U+0000");
        assertCode(d.post("/rtm/user/bob-h1/inbox", "x", "except=%7f"), ResponseCode.BAD_REQUEST,
                "query parameter except", "U+007F");
        assertCode(d.post("/rtm/user/bob%01x/inbox", "x"), ResponseCode.BAD_REQUEST, "path segment", "U+0001");
        assertCode(d.post("/rtm/some%01thing/else", "x"), ResponseCode.BAD_REQUEST, "path segment", "U+0001");
        assertCode(d.heartbeat(), ResponseCode.CHANGED);
        assertCode(d.post("/rtm/user/bob-h1/inbox", "still here", "cid=ok-1"), ResponseCode.CREATED);
    }

    @Test
    void proxyUri_is505_andTheRootNamesTheGatewayNotCalifornium() throws Exception {
        final CoapDevice d = device(broker.coapPort(), "127.0.0.1");
        final Request proxied = Request.newGet();
        proxied.getOptions().setProxyUri("coap://198.51.100.7/secret");
        final CoapResponse viaProxy = d.send(proxied, "");
        assertCode(viaProxy, ResponseCode.PROXY_NOT_SUPPORTED, "not a proxy");
        final Request scheme = Request.newGet();
        scheme.getOptions().setProxyScheme("http");
        assertCode(d.send(scheme, "/session"), ResponseCode.PROXY_NOT_SUPPORTED, "Proxy-Scheme");
        final CoapResponse root = d.send(Request.newGet(), "/");
        assertCode(root, ResponseCode.CONTENT, "OpenRTM CoAP gateway", "POST /session?u=UID");
        assertThat(root.getResponseText()).doesNotContainIgnoringCase("californium").doesNotContain("Eclipse");
    }

    @Test
    void loginFloods_get429WithMaxAge_perAddressAndForTheGateway() throws Exception {
        final CoapGateway g = gateway(Map.of("session.login-throttle-loopback", "true",
                "session.login-burst-per-address", "3", "session.login-rate-per-address", "1",
                "session.login-burst", "5", "session.login-rate", "1"));
        final CoapDevice a = device(g.coapPort(), "127.0.0.1");
        for (int i = 0; i < 3; i++) {
            assertCode(a.login("plug-h3", "not-a-token"), ResponseCode.UNAUTHORIZED);
        }
        final CoapResponse perAddress = a.login("plug-h3", "not-a-token");
        assertCode(perAddress, ResponseCode.TOO_MANY_REQUESTS, "from this address", "session.login-rate-per-address");
        assertThat(perAddress.getOptions().getMaxAge()).isBetween(1L, 2L);
        // another host has its own bucket, but the gateway's (5 at once) runs out
        final CoapDevice b = device(g.coapPort(), "127.0.0.2");
        assertCode(b.login("plug-h3", "not-a-token"), ResponseCode.UNAUTHORIZED);
        assertCode(b.login("plug-h3", "not-a-token"), ResponseCode.UNAUTHORIZED);
        final CoapResponse global = device(g.coapPort(), "127.0.0.3").login("plug-h3", "not-a-token");
        assertCode(global, ResponseCode.TOO_MANY_REQUESTS, "at this gateway", "session.login-rate");
        assertThat(global.getOptions().getMaxAge()).isPositive();
    }

    @Test
    void loginFloodFromOneHost_isThrottledByDefault_exceptOnLoopback() throws Exception {
        final CoapGateway g = gateway(Map.of("session.login-throttle-loopback", "true"));
        final CoapDevice a = device(g.coapPort(), "127.0.0.4");
        int throttled = 0;
        for (int i = 0; i < 80; i++) {
            if (a.login("plug-h4", "not-a-token").getCode() == ResponseCode.TOO_MANY_REQUESTS) {
                throttled++;
            }
        }
        assertThat(throttled).as("of 80 bad logins at once, past the burst of 50").isGreaterThanOrEqualTo(20);
        final CoapDevice local = device(broker.coapPort(), "127.0.0.1");
        for (int i = 0; i < 80; i++) {
            assertThat(local.login("plug-h4", "not-a-token").getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
        }
    }

    @Test
    void observationsBeyondTheSessionsLimit_are403NamingTheLimit() throws Exception {
        final CoapDevice d = loggedIn("plug-h5");
        for (final String path : List.of("/rtm/user/plug-h5/inbox", "/rtm/user/plug-h5/event", "/rtm/user/bob-h5/presence")) {
            assertThat(d.observe(path).relation().isCanceled()).as(path).isFalse();
        }
        final Request fourth = Request.newGet();
        fourth.setObserve();
        assertCode(d.send(fourth, "/rtm/user/carol-h5/presence"), ResponseCode.FORBIDDEN,
                "session.max-observations", "(3)");
        assertThat(d.observe("/rtm/user/plug-h5/inbox").relation().isCanceled()).as("observing a filter again replaces")
                .isFalse();
    }

    @Test
    void aRequestOf7KbInOneDatagram_is413WithTheBlockSize_andABlockLongerThanItsSize_is408() throws Exception {
        loggedIn("plug-h6");
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(5_000);
            final InetSocketAddress gw = new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.coapPort());
            final Request big = Request.newPost();
            big.setURI("coap://127.0.0.1:" + broker.coapPort() + "/rtm/user/bob-h6/inbox?s=x");
            big.setPayload(new byte[7_000]);
            final CoapResponse tooBig = exchange(s, gw, big, 0x1001);
            assertCode(tooBig, ResponseCode.REQUEST_ENTITY_TOO_LARGE, "coap.block-size", "limits.max-payload-bytes");
            assertThat(tooBig.getOptions().getBlock1().getSize()).isEqualTo(512);

            final Request block = Request.newPost();
            block.setURI("coap://127.0.0.1:" + broker.coapPort() + "/rtm/user/bob-h6/inbox?s=x");
            block.getOptions().setBlock1(5, true, 0); // 512-byte blocks, more to come
            block.setPayload(new byte[512]);
            // Californium's serializer will not write a block longer than its size: 88 bytes more after the payload
            assertCode(exchange(s, gw, block, 0x1002, 88), ResponseCode.REQUEST_ENTITY_INCOMPLETE);
        }
    }

    /** Sends a request from a bare socket and reads the answer (Californium's serializer and parser). */
    private static CoapResponse exchange(final DatagramSocket s, final InetSocketAddress to, final Request request,
                                         final int mid) throws Exception {
        return exchange(s, to, request, mid, 0);
    }

    private static CoapResponse exchange(final DatagramSocket s, final InetSocketAddress to, final Request request,
                                         final int mid, final int extraPayload) throws Exception {
        request.setMID(mid);
        request.setToken(new byte[] {1, 2, 3, 4});
        request.setDestinationContext(new AddressEndpointContext(to));
        final RawData raw = new UdpDataSerializer().serializeRequest(request);
        final byte[] datagram = java.util.Arrays.copyOf(raw.getBytes(), raw.getSize() + extraPayload);
        s.send(new DatagramPacket(datagram, datagram.length, to));
        final byte[] buf = new byte[4096];
        final DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        final byte[] got = java.util.Arrays.copyOf(buf, p.getLength());
        final org.eclipse.californium.core.coap.Message m = new UdpDataParser().parseMessage(got);
        assertThat(m).isInstanceOf(org.eclipse.californium.core.coap.Response.class);
        return new CoapResponse((org.eclipse.californium.core.coap.Response) m) {
        };
    }

    @Test
    void bodiesOverTheLimit_are413NamingBothLimits() throws Exception {
        final CoapDevice d = loggedIn("plug-h7");
        final CoapResponse big = d.post("/rtm/user/bob-h7/inbox", new byte[8193]);
        assertCode(big, ResponseCode.REQUEST_ENTITY_TOO_LARGE, "coap.max-body-bytes", "limits.max-payload-bytes");
    }
}
