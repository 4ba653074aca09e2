package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.internal.Internals;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Requests to the server, and pacing under the rate limit (this broker allows 2 publishes per second, bursts of 4). */
class RpcIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "limits.rate-per-second", "2", "limits.rate-burst", "4"));

    @Test
    void serverInfo_describesTheServerAndTheCaller() throws Exception {
        try (RtmClient c = TestClients.loggedIn(broker, "info", new Recorder())) {
            final ServerInfo info = c.serverInfo().get(10, TimeUnit.SECONDS);
            assertThat(info.uid()).isEqualTo("info");
            assertThat(info.role()).isEqualTo("user");
            assertThat(info.via()).isEqualTo("mqtt");
            assertThat(info.version()).isNotEmpty();
            assertThat(info.serverTime()).isBetween(Instant.now().minusSeconds(10), Instant.now().plusSeconds(1));
            assertThat(info.limits().maxPayloadBytes()).isEqualTo(8192);
            assertThat(info.limits().ratePerSecond()).isEqualTo(2);
            assertThat(info.limits().rateBurst()).isEqualTo(4);
            assertThat(info.limits().offlineMaxMessages()).isEqualTo(200);
            assertThat(info.limits().offlineTtl()).isEqualTo(Duration.ofDays(7));
            assertThat(info.limits().dedupWindow()).isEqualTo(Duration.ofMinutes(10));
            assertThat(info.limits().maxRecipientList()).isEqualTo(128);

            final String raw = c.request("server.info", "{}").get(10, TimeUnit.SECONDS);
            assertThat(raw).contains("\"uid\":\"info\"");
        }
    }

    @Test
    void unknownMethod_failsWithInvalidRequest_namingTheMethods() throws Exception {
        try (RtmClient c = TestClients.loggedIn(broker, "caller", new Recorder())) {
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> c.request("no.such", "{}").get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(InvalidRequestException.class);
            assertThat(((RtmException) e.getCause()).code()).isIn(RtmErrorCode.INVALID, RtmErrorCode.UNKNOWN_METHOD);
            assertThat(e.getCause().getMessage()).contains("server.info");
            assertThat(catchThrowable(() -> c.request("bad/method", "{}"))).isInstanceOf(IllegalArgumentException.class);
            assertThat(catchThrowable(() -> c.request("server.info", "[1]"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be a JSON object");
        }
    }

    @Test
    void sendingOverTheRate_isPacedUnderIt_andEverySendArrivesOnceInOrder() throws Exception {
        final Recorder patient = new Recorder();
        try (RtmClient r = TestClients.loggedIn(broker, "patient", patient);
             RtmClient c = TestClients.loggedIn(broker, "hasty", new Recorder())) {
            final List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sends.add(c.peer().send(r.uid(), "m" + i));
            }
            // 10 sends at once against 2 per second with bursts of 4: without pacing most were refused rate_limited
            for (final CompletableFuture<SendResult> f : sends) {
                assertThat(f.get(30, TimeUnit.SECONDS).status()).isEqualTo(DeliveryStatus.DELIVERED);
            }
            final List<String> got = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                final PeerMessage m = patient.messages.poll(10, TimeUnit.SECONDS);
                assertThat(m).as("message %d", i).isNotNull();
                got.add(m.text());
            }
            assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
            assertThat(patient.messages.poll(300, TimeUnit.MILLISECONDS)).as("a duplicate").isNull();
            assertThat(Internals.rateLimited(c)).as("publishes the server refused as rate_limited").isZero();
        }
    }
}
