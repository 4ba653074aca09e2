package org.openrtm.sdk;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.internal.Internals;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TcpProxy;
import org.openrtm.sdk.testing.TestClients;
import org.openrtm.sdk.testing.Tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Connections cut with the broker still up (through {@link TcpProxy}): reconnect, the outbox, retries with the same
 * rtm-cid, duplicates, timeouts, token expiry at a reconnect.
 */
class ReconnectIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "limits.rate-per-second", "1000", "limits.rate-burst", "1000"));

    private TcpProxy aliceLink;
    private TcpProxy bobLink;

    @BeforeEach
    void proxies() throws Exception {
        aliceLink = new TcpProxy(broker.port());
        bobLink = new TcpProxy(broker.port());
    }

    @AfterEach
    void closeProxies() {
        aliceLink.close();
        bobLink.close();
    }

    private static List<String> texts(final Recorder r, final int n) throws InterruptedException {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.nextMessage().text());
        }
        return out;
    }

    @Test
    void connectionsCutAgainAndAgain_everyMessageArrivesExactlyOnce_inOrder() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.builder(aliceLink, broker, "alice1").sendTimeout(Duration.ofSeconds(30))
                .connectionListener(aliceSees).build();
             RtmClient bob = TestClients.builder(bobLink, broker, "bob1").peerListener(bobSees).build()) {
            alice.login().get(10, TimeUnit.SECONDS);
            bob.login().get(10, TimeUnit.SECONDS);
            final List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            final List<String> expected = new ArrayList<>();
            for (int batch = 0; batch < 5; batch++) {
                final List<CompletableFuture<SendResult>> these = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    final String text = "m" + (batch * 20 + i);
                    expected.add(text);
                    these.add(alice.peer().send("bob1", text));
                }
                sends.addAll(these);
                // cut while some of this batch are answered and others are still in flight or waiting
                // polled every millisecond: at the default 100 ms the whole batch may be answered before the cut
                await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(20))
                        .until(() -> these.stream().filter(CompletableFuture::isDone).count() >= 3);
                aliceLink.cutAll();
                bobLink.cutAll();
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertThat(sends).allSatisfy(f -> assertThat(f.join().status()).isIn(DeliveryStatus.DELIVERED,
                    DeliveryStatus.CACHED));
            assertThat(texts(bobSees, 100)).containsExactlyElementsOf(expected);
            assertThat(bobSees.messages.poll(1, TimeUnit.SECONDS)).as("a duplicate").isNull();
            assertThat(aliceLink.accepted()).isGreaterThanOrEqualTo(6);
            // the cuts caught messages in flight: they were sent again (with their rtm-cid) and still arrived once
            assertThat(Internals.resends(alice)).isPositive();
            assertThat(Internals.unfinished(alice)).isZero();
            assertThat(aliceSees.changes).extracting(ConnectionChange::reason).contains(
                    ConnectionChangeReason.INTERRUPTED, ConnectionChangeReason.RECONNECTED);
            assertThat(aliceSees.changes).filteredOn(c -> c.reason() == ConnectionChangeReason.RECONNECTED)
                    .allMatch(ConnectionChange::sessionResumed);
        }
    }

    @Test
    void sendsWhileDisconnected_waitInTheOutbox_boundedByItsCapacity_andGoOutOnReconnect() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.builder(aliceLink, broker, "alice2").outboxCapacity(5)
                .connectionListener(aliceSees).build();
             RtmClient bob = TestClients.loggedIn(broker, "bob2", bobSees)) {
            alice.login().get(10, TimeUnit.SECONDS);
            aliceLink.accepting(false);
            aliceLink.cutAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.state() == ConnectionState.RECONNECTING);

            final List<CompletableFuture<SendResult>> waiting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                waiting.add(alice.peer().send("bob2", "queued " + i));
            }
            final CompletableFuture<SendResult> impatient = alice.peer().send("bob2", "impatient",
                    SendOptions.builder().timeout(Duration.ofMillis(300)).build());
            final ExecutionException full = catchThrowableOfType(ExecutionException.class,
                    () -> alice.peer().send("bob2", "one too many").get(5, TimeUnit.SECONDS));
            assertThat(full.getCause()).isInstanceOf(OutboxFullException.class).hasMessageContaining("outboxCapacity");

            final ExecutionException timedOut = catchThrowableOfType(ExecutionException.class,
                    () -> impatient.get(5, TimeUnit.SECONDS));
            assertThat(timedOut.getCause()).isInstanceOf(RtmTimeoutException.class);
            assertThat(((RtmTimeoutException) timedOut.getCause()).wasSent()).isFalse();
            assertThat(waiting).noneMatch(CompletableFuture::isDone);

            aliceLink.accepting(true);
            CompletableFuture.allOf(waiting.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            assertThat(texts(bobSees, 4)).containsExactly("queued 0", "queued 1", "queued 2", "queued 3");
            assertThat(bobSees.messages.poll(500, TimeUnit.MILLISECONDS)).as("the timed-out message").isNull();
            assertThat(alice.state()).isEqualTo(ConnectionState.CONNECTED);
        }
    }

    @Test
    void aMessageDeliveredAgainAfterACut_reachesTheListenerOnce_andIsAcknowledgedThen() throws Exception {
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "alice3", new Recorder());
             RtmClient bob = TestClients.builder(bobLink, broker, "bob3").peerListener(bobSees).build()) {
            bob.login().get(10, TimeUnit.SECONDS);
            bobLink.dropUpstream(true); // bob's acknowledgement never reaches the broker
            final SendResult sent = alice.peer().send("bob3", "only once",
                    SendOptions.builder().receipt(true).build()).get(10, TimeUnit.SECONDS);
            assertThat(bobSees.nextMessage().messageId()).isEqualTo(sent.messageId());
            assertThat(sent.receipt()).isNotDone();

            bobLink.cutAll();
            bobLink.dropUpstream(false);
            // the broker resumes bob's session and delivers the unacknowledged message again: dropped, acknowledged
            assertThat(sent.receipt().get(15, TimeUnit.SECONDS).to()).isEqualTo("bob3");
            assertThat(bobSees.messages.poll(1, TimeUnit.SECONDS)).as("the duplicate").isNull();
        }
    }

    @Test
    void aLinkThatSwallowsEverything_timesSendsAndRequestsOut_asSentWithUnknownOutcome() throws Exception {
        try (RtmClient alice = TestClients.builder(aliceLink, broker, "alice4").requestTimeout(Duration.ofMillis(500))
                .build()) {
            alice.login().get(10, TimeUnit.SECONDS);
            aliceLink.dropUpstream(true);
            final ExecutionException send = catchThrowableOfType(ExecutionException.class, () -> alice.peer()
                    .send("bob4", "into the void", SendOptions.builder().timeout(Duration.ofMillis(500)).build())
                    .get(5, TimeUnit.SECONDS));
            assertThat(send.getCause()).isInstanceOf(RtmTimeoutException.class).hasMessageContaining("PT0.5S")
                    .hasMessageNotContaining("rtm/");
            assertThat(((RtmTimeoutException) send.getCause()).wasSent()).isTrue();
            assertThat(((RtmException) send.getCause()).code()).isEqualTo(RtmErrorCode.TIMEOUT);

            final ExecutionException request = catchThrowableOfType(ExecutionException.class,
                    () -> alice.serverInfo().get(5, TimeUnit.SECONDS));
            assertThat(request.getCause()).isInstanceOf(RtmTimeoutException.class);

            aliceLink.dropUpstream(false);
            aliceLink.cutAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.state() == ConnectionState.CONNECTED);
        }
    }

    @Test
    void tokenExpiredAtAReconnect_waitsForRenewal_thenResumesTheSessionWithoutLoss() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        final String shortLived = Tokens.validFor("alice5", Duration.ofSeconds(2));
        final Instant expiry = Instant.ofEpochSecond(expiryOf(shortLived));
        try (RtmClient alice = RtmClient.builder().serverUri(aliceLink.uri()).uid("alice5").token(shortLived)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).connectionListener(aliceSees).build();
             RtmClient bob = TestClients.loggedIn(broker, "bob5", bobSees)) {
            alice.login().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiry.plusMillis(200)));

            aliceLink.cutAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> aliceSees.changes.stream()
                    .anyMatch(c -> c.reason() == ConnectionChangeReason.TOKEN_EXPIRED));
            final ConnectionChange expired = aliceSees.changes.stream()
                    .filter(c -> c.reason() == ConnectionChangeReason.TOKEN_EXPIRED).findFirst().orElseThrow();
            assertThat(expired.state()).isEqualTo(ConnectionState.RECONNECTING);
            assertThat(expired.reasonCode()).isEqualTo(0x87);
            assertThat(expired.detail()).startsWith("token expired at");

            final CompletableFuture<SendResult> queued = alice.peer().send("bob5", "sent with the old token");
            assertThat(queued).isNotDone();
            alice.renewToken(broker.token("alice5"));
            assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(bobSees.nextMessage().text()).isEqualTo("sent with the old token");
            final ConnectionChange back = aliceSees.changes.get(aliceSees.changes.size() - 1);
            assertThat(back.state()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(back.reason()).isEqualTo(ConnectionChangeReason.RECONNECTED);
            assertThat(back.sessionResumed()).isTrue();
        }
    }

    private static long expiryOf(final String jwt) {
        final String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"exp\":(\\d+)").matcher(payload);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
