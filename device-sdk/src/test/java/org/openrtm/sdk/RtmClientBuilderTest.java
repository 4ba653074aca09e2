package org.openrtm.sdk;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class RtmClientBuilderTest {

    @Test
    void badOptions_areRefusedNamingTheOptionTheRuleAndTheValue() {
        final RtmClientBuilder b = RtmClient.builder();
        assertThat(catchThrowable(() -> b.uid("bad uid"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uid must be 1 to 64 characters").hasMessageContaining("'bad uid'");
        assertThat(catchThrowable(() -> b.serverUri("http://x"))).hasMessage(
                "serverUri must be tcp://host[:port], but was 'http://x'");
        assertThat(catchThrowable(() -> b.sendTimeout(Duration.ZERO))).hasMessage("sendTimeout must be positive, but was PT0S");
        assertThat(catchThrowable(() -> b.outboxCapacity(0))).hasMessage(
                "outboxCapacity must be between 1 and 1000000, but was 0");
        assertThat(catchThrowable(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))))
                .hasMessageContaining("reconnectBackoff max must not be less than initial");
        assertThat(catchThrowable(() -> b.reconnectJitter(1.5))).hasMessage(
                "reconnectJitter must be between 0 and 1, but was 1.5");
        assertThat(catchThrowable(() -> b.receiveMaximum(0))).hasMessageContaining("receiveMaximum");
        assertThat(catchThrowable(() -> b.keepAlive(Duration.ZERO))).hasMessageContaining("keepAlive must be between");
        assertThat(catchThrowable(() -> b.token(""))).hasMessage("token must not be empty");
        assertThat(catchThrowable(b::build)).isInstanceOf(IllegalStateException.class)
                .hasMessage("RtmClient needs serverUri, uid, token or tokenSupplier");
    }

    @Test
    void aValidBuilder_buildsADisconnectedClient_andTheDefaultPortIs1883() {
        try (RtmClient c = RtmClient.builder().serverUri("tcp://localhost").uid("dev-1").token("t").build()) {
            assertThat(c.uid()).isEqualTo("dev-1");
            assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
        }
    }

    @Test
    void sendOptions_validateAndKeepTheirValues() {
        final SendOptions o = SendOptions.builder().offline(false).history(false).expiry(Duration.ofMillis(1500))
                .timeout(Duration.ofSeconds(3)).clientMessageId("my-1").property("app", "v").build();
        assertThat(o.offline()).isFalse();
        assertThat(o.history()).isFalse();
        assertThat(o.expiry()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.clientMessageId()).isEqualTo("my-1");
        assertThat(o.properties()).containsEntry("app", "v");
        assertThat(SendOptions.defaults().offline()).isTrue();
        assertThat(catchThrowable(() -> SendOptions.builder().property("rtm-id", "x")))
                .hasMessageContaining("must not start with 'rtm-'");
        assertThat(catchThrowable(() -> SendOptions.builder().expiry(Duration.ofSeconds(-1))))
                .hasMessageContaining("expiry must be between 0 and 4294967295 seconds");
        assertThat(catchThrowable(() -> SendOptions.builder().clientMessageId("x".repeat(129))))
                .hasMessage("clientMessageId must be 1 to 128 characters, but was 129 characters");
        assertThat(catchThrowable(() -> SendOptions.builder().timeout(Duration.ZERO)))
                .hasMessage("timeout must be positive, but was PT0S");
    }

    @Test
    void errorCodes_knowTheirProtocolNames() {
        assertThat(RtmErrorCode.ofProtocolCode("rate_limited")).isEqualTo(RtmErrorCode.RATE_LIMITED);
        assertThat(RtmErrorCode.ofProtocolCode("nope")).isEqualTo(RtmErrorCode.UNKNOWN);
        assertThat(RtmErrorCode.TIMEOUT.protocolCode()).isNull();
    }
}
