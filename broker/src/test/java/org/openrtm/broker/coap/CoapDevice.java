package org.openrtm.broker.coap;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A CoAP device for tests: a real Californium client with its own UDP (or DTLS) endpoint on 127.0.0.1, speaking to
 * the gateway at {@code host:port} (or through a relay). Small helpers for the gateway's session protocol.
 */
public final class CoapDevice implements AutoCloseable {

    private final String base;
    private final CoapEndpoint endpoint;
    private final CoapClient client;
    String sid;

    private CoapDevice(final String scheme, final int port, final CoapEndpoint endpoint) {
        this.base = scheme + "://127.0.0.1:" + port;
        this.endpoint = endpoint;
        this.client = new CoapClient().setEndpoint(endpoint).setTimeout(10_000L);
    }

    static Configuration config() {
        final Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, 512);
        c.set(CoapConfig.MAX_MESSAGE_SIZE, 512);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 16384);
        c.set(CoapConfig.ACK_TIMEOUT, 500, TimeUnit.MILLISECONDS);
        c.set(CoapConfig.MAX_RETRANSMIT, 3);
        return c;
    }

    /** A plain CoAP device. */
    public static CoapDevice udp(final int port) throws IOException {
        return udp(port, "127.0.0.1");
    }

    /** A plain CoAP device on another loopback address ({@code 127.0.0.2} ...), which the gateway sees as another host. */
    static CoapDevice udp(final int port, final String localHost) throws IOException {
        final CoapEndpoint e = CoapEndpoint.builder().setConfiguration(config())
                .setInetSocketAddress(new InetSocketAddress(localHost, 0)).build();
        e.start();
        return new CoapDevice("coap", port, e);
    }

    /** A CoAPS device with a pre-shared key (identity = uid), supporting DTLS Connection IDs. */
    static CoapDevice dtls(final int port, final String identity, final byte[] key) throws IOException {
        final Configuration c = config();
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        final DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, key))
                .build();
        final CoapEndpoint e = CoapEndpoint.builder().setConfiguration(c).setConnector(new DTLSConnector(dtls)).build();
        e.start();
        return new CoapDevice("coaps", port, e);
    }

    /** The device's own UDP port. */
    int localPort() {
        return endpoint.getAddress().getPort();
    }

    CoapResponse send(final Request request, final String path, final String... query) {
        final StringBuilder uri = new StringBuilder(base).append(path);
        String sep = "?";
        for (final String q : query) {
            uri.append(sep).append(q);
            sep = "&";
        }
        if (sid != null && !path.startsWith("/session")) {
            uri.append(sep).append("s=").append(sid);
        }
        request.setURI(uri.toString());
        try {
            return client.advanced(request);
        } catch (final ConnectorException | IOException e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    public CoapResponse login(final String uid, final String token, final String... query) {
        final String[] q = new String[query.length + 1];
        q[0] = "u=" + uid;
        System.arraycopy(query, 0, q, 1, query.length);
        final Request r = Request.newPost();
        r.setPayload(token);
        final CoapResponse resp = send(r, "/session", q);
        if (resp != null && resp.getCode() == CoAP.ResponseCode.CREATED) {
            sid = resp.getOptions().getLocationPath().get(1);
        }
        return resp;
    }

    CoapResponse heartbeat() {
        return send(Request.newPost(), "/session/" + sid);
    }

    /** A CoAP ping (empty CON); true when the gateway answered with RST. */
    boolean ping() {
        client.setURI(base);
        return client.ping(2000);
    }

    CoapResponse logout() {
        return send(Request.newDelete(), "/session/" + sid);
    }

    CoapResponse post(final String path, final byte[] body, final String... query) {
        final Request r = Request.newPost();
        r.setPayload(body);
        r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        return send(r, path, query);
    }

    public CoapResponse post(final String path, final String body, final String... query) {
        return post(path, body.getBytes(StandardCharsets.UTF_8), query);
    }

    /** Sends {@code n} confirmable POSTs at once and returns every response (in completion order). */
    java.util.List<CoapResponse> postAll(final String path, final int n) throws InterruptedException {
        final BlockingQueue<CoapResponse> responses = new LinkedBlockingQueue<>();
        for (int i = 0; i < n; i++) {
            final Request r = Request.newPost();
            r.setPayload("n" + i);
            r.setURI(base + path + "?s=" + sid);
            client.advanced(new CoapHandler() {
                @Override
                public void onLoad(final CoapResponse response) {
                    responses.add(response);
                }

                @Override
                public void onError() {
                    // missing responses fail the size check below
                }
            }, r);
        }
        final java.util.List<CoapResponse> out = new java.util.ArrayList<>();
        while (out.size() < n) {
            final CoapResponse r = responses.poll(30, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " responses within 30 s");
            }
            out.add(r);
        }
        return out;
    }

    CoapResponse postNon(final String path, final String body) {
        final Request r = Request.newPost();
        r.setConfirmable(false);
        r.setPayload(body);
        return send(r, path);
    }

    /** Observes a path; notifications (and the registration response) go to the returned queue. */
    Observation observe(final String path) {
        final BlockingQueue<CoapResponse> q = new LinkedBlockingQueue<>();
        final Request r = Request.newGet();
        r.setObserve();
        final StringBuilder uri = new StringBuilder(base).append(path);
        if (sid != null) {
            uri.append("?s=").append(sid);
        }
        r.setURI(uri.toString());
        final CoapObserveRelation relation;
        try {
            relation = client.observeAndWait(r, new CoapHandler() {
            @Override
            public void onLoad(final CoapResponse response) {
                q.add(response);
            }

            @Override
            public void onError() {
                // failures show as missing notifications in the tests
            }
        });
        } catch (final ConnectorException | IOException e) {
            throw new AssertionError("observe failed: " + e, e);
        }
        return new Observation(relation, q);
    }

    record Observation(CoapObserveRelation relation, BlockingQueue<CoapResponse> notifications) {
        /** The next notification with a payload (skipping the empty registration response). */
        CoapResponse next() throws InterruptedException {
            while (true) {
                final CoapResponse r = notifications.poll(10, TimeUnit.SECONDS);
                if (r == null) {
                    throw new AssertionError("no notification within 10 s");
                }
                if (r.getPayload().length > 0 || !r.isSuccess()) {
                    return r;
                }
            }
        }

        /** A notification with a payload arriving within the time, or null. */
        CoapResponse poll(final long millis) throws InterruptedException {
            final long end = System.nanoTime() + millis * 1_000_000L;
            while (true) {
                final long left = end - System.nanoTime();
                final CoapResponse r = notifications.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (r == null) {
                    return null;
                }
                if (r.getPayload().length > 0 || !r.isSuccess()) {
                    return r;
                }
            }
        }
    }

    /** Stops the device's endpoint: it answers nothing any more (a device gone away). */
    void vanish() {
        endpoint.destroy();
    }

    @Override
    public void close() {
        client.shutdown();
        endpoint.destroy();
    }
}
