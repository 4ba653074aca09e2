package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's quick start, with assertions in place of its prints. */
class QuickStartIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void quickStart() {
        final String aliceToken = broker.token("alice");
        final String bobToken = broker.token("bob");
        final List<String> printed = new CopyOnWriteArrayList<>();

        RtmClient alice = RtmClient.builder()
                .serverUri("tcp://127.0.0.1:" + broker.port())
                .uid("alice")
                .token(aliceToken)
                .build();
        RtmClient bob = RtmClient.builder()
                .serverUri("tcp://127.0.0.1:" + broker.port())
                .uid("bob")
                .token(bobToken)
                .peerListener(new PeerListener() {
                    @Override
                    public void onMessage(final PeerMessage m) {
                        printed.add(m.from() + " says " + m.text());
                    }
                })
                .build();
        alice.login().join();
        bob.login().join();

        SendResult result = alice.peer().send("bob", "hello bob",
                SendOptions.builder().receipt(true).build()).join();
        assertThat(result.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(result.receipt().join().to()).isEqualTo("bob");

        alice.close();
        bob.close();
        await().until(() -> printed.contains("alice says hello bob"));
    }
}
