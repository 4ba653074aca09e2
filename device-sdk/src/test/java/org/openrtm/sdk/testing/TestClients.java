package org.openrtm.sdk.testing;

import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmClientBuilder;

import java.time.Duration;

/** Client builders preset for a test broker: its URI, a valid token, fast reconnects. Test code. */
public final class TestClients {

    private TestClients() {
    }

    /** A builder for {@code uid} on the broker, with a valid token and a quick backoff. */
    public static RtmClientBuilder builder(final EmbeddedBroker broker, final String uid) {
        return builder("tcp://127.0.0.1:" + broker.port(), broker, uid);
    }

    /** A builder for {@code uid} connecting through a proxy. */
    public static RtmClientBuilder builder(final TcpProxy proxy, final EmbeddedBroker broker, final String uid) {
        return builder(proxy.uri(), broker, uid);
    }

    private static RtmClientBuilder builder(final String uri, final EmbeddedBroker broker, final String uid) {
        return RtmClient.builder().serverUri(uri).uid(uid).token(broker.token(uid))
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /** Adds the recorder as every kind of listener. */
    public static RtmClientBuilder listening(final RtmClientBuilder b, final Recorder recorder) {
        return b.connectionListener(recorder).peerListener(recorder).channelListener(recorder).presenceListener(recorder)
                .broadcastListener(recorder);
    }

    /** A client for {@code uid}, logged in, with the recorder as its listeners. */
    public static RtmClient loggedIn(final EmbeddedBroker broker, final String uid, final Recorder recorder) {
        final RtmClient c = listening(builder(broker, uid), recorder).build();
        c.login().join();
        return c;
    }
}
