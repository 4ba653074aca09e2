package org.openrtm.sdk.quickstart;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.SendOptions;
import org.openrtm.sdk.SendResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's quick start, with assertions in place of its prints. In a package of its own, so that it needs the
 * same imports as an application: the README's imports are checked against this file's.
 */
class QuickStartIT {

    private static final String MARKER = "<!-- quickstart: QuickStartIT runs this code";

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

    @Test
    void readmeQuickStart_importsWhatThisTestUses() throws IOException {
        final String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        final int at = readme.indexOf(MARKER);
        assertThat(at).as("README marker").isNotNegative();
        final int start = readme.indexOf("```java\n", at) + "```java\n".length();
        final String block = readme.substring(start, readme.indexOf("```", start));
        final List<String> readmeImports = importsOf(block);
        final List<String> ownImports = importsOf(Files.readString(
                Path.of("src/test/java/org/openrtm/sdk/quickstart/QuickStartIT.java"), StandardCharsets.UTF_8))
                .stream().filter(i -> i.startsWith("import org.openrtm.sdk.") && !i.endsWith(".DeliveryStatus;"))
                .collect(Collectors.toList());
        assertThat(readmeImports).isEqualTo(ownImports);
        assertThat(block).contains("alice.close();", "bob.close();");
    }

    private static List<String> importsOf(final String code) {
        return Arrays.stream(code.split("\n")).filter(l -> l.startsWith("import ")).collect(Collectors.toList());
    }
}
