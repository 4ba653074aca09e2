package org.openrtm.reliability.chaos;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;
import org.openrtm.reliability.ChaosSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the chaos suite ({@code chaos/run.sh}), run in a network namespace whose link to the broker's
 * drops 70% of packets both ways. Phase 1: 1,000 peer messages from two SDK senders to two SDK recipients. Phase 2:
 * 200 channel messages from two members of a three-member channel. Phase 3: a CoAP device (Californium) sends 100 peer
 * messages through the gateway to an SDK recipient, retrying timed-out requests with the same {@code cid}. Each phase
 * checks that every message arrived exactly once, in per-sender order, and logs how long it took. Exit code 0 when all
 * phases pass.
 *
 * <pre>ChaosRun BROKER_HOST MQTT_PORT COAP_PORT   (RTM_SECRET in the environment)</pre>
 */
public final class ChaosRun {

    private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);

    private ChaosRun() {
    }

    public static void main(final String[] args) throws Exception {
        final String host = args[0];
        final int mqtt = Integer.parseInt(args[1]);
        final int coap = Integer.parseInt(args[2]);
        final Tokens tokens = new Tokens(System.getenv("RTM_SECRET").getBytes(StandardCharsets.UTF_8), Clock.systemUTC(),
                Duration.ofMinutes(5));
        final ChaosSupport support = new ChaosSupport("tcp://" + host + ":" + mqtt,
                uid -> tokens.mint(uid, Role.USER, Duration.ofHours(6)));
        boolean ok = true;
        try {
            ok &= support.peerPhase(1000);
            ok &= support.channelPhase(200);
            ok &= coapPhase(support, host, coap, tokens, 100);
        } finally {
            support.close();
        }
        log.info("chaos suite: {}", ok ? "PASSED" : "FAILED");
        Runtime.getRuntime().halt(ok ? 0 : 1);
    }

    private static boolean coapPhase(final ChaosSupport support, final String host, final int port, final Tokens tokens,
                                     final int messages) throws Exception {
        final Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        c.set(CoapConfig.ACK_TIMEOUT, 1, TimeUnit.SECONDS);
        c.set(CoapConfig.MAX_RETRANSMIT, 6);
        c.set(CoapConfig.NSTART, 1);
        final CoapEndpoint endpoint = CoapEndpoint.builder().setConfiguration(c)
                .setInetSocketAddress(new InetSocketAddress(0)).build();
        endpoint.start();
        final CoapClient client = new CoapClient().setEndpoint(endpoint).setTimeout(120_000L);
        final String base = "coap://" + host + ":" + port;
        final long start = System.nanoTime();
        try {
            final String device = "chaos-dev";
            String sid = null;
            int loginAttempts = 0;
            while (sid == null) {
                loginAttempts++;
                final Request r = Request.newPost();
                r.setURI(base + "/session?u=" + device + "&ka=3600");
                r.setPayload(tokens.mint(device, Role.USER, Duration.ofHours(6)));
                final CoapResponse resp = call(client, r);
                if (resp != null && resp.getCode() == CoAP.ResponseCode.CREATED) {
                    sid = resp.getOptions().getLocationPath().get(1);
                } else if (resp != null) {
                    log.warn("CoAP login answered {}: {}", resp.getCode(), resp.getResponseText());
                }
            }
            final String to = support.coapRecipient();
            int retries = 0;
            for (int i = 0; i < messages; i++) {
                final String text = org.openrtm.reliability.ChaosSupport.text("p:" + to, device, i);
                final var result = new java.util.concurrent.CompletableFuture<Void>();
                support.expect(text, device, to, result);
                while (true) {
                    final Request r = Request.newPost();
                    r.setURI(base + "/rtm/user/" + to + "/inbox?s=" + sid + "&cid=m" + i);
                    r.setPayload(text);
                    r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
                    final CoapResponse resp = call(client, r);
                    if (resp != null && resp.isSuccess()) {
                        result.complete(null);
                        break;
                    }
                    retries++;
                    if (resp != null && resp.getCode() != CoAP.ResponseCode.GATEWAY_TIMEOUT) {
                        log.warn("CoAP message {} answered {}: {}", i, resp.getCode(), resp.getResponseText());
                    }
                }
            }
            return support.finish("CoAP device through the gateway (" + loginAttempts + " login attempts, " + retries
                    + " request retries)", start);
        } finally {
            client.shutdown();
            endpoint.destroy();
        }
    }

    private static CoapResponse call(final CoapClient client, final Request r) {
        try {
            return client.advanced(r);
        } catch (final ConnectorException | IOException e) {
            log.debug("CoAP request failed: {}", e.toString());
            return null;
        }
    }
}
