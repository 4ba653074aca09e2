package org.openrtm.broker.auth;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.openrtm.broker.testing.Clients.connectWithToken;
import static org.openrtm.broker.testing.Clients.mqtt5;

class AuthenticationIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static Mqtt5ConnAck refused(final Mqtt5BlockingClient c, final String token) {
        return catchThrowableOfType(Mqtt5ConnAckException.class, () -> connectWithToken(c, token)).getMqttMessage();
    }

    @Test
    void validToken_connects() {
        final Mqtt5BlockingClient c = mqtt5(broker, "ok-user");
        assertThat(connectWithToken(c, broker.token("ok-user")).getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        c.disconnect();
    }

    @Test
    void badUid_isRefusedWith0x85() {
        final Mqtt5ConnAck ack = refused(mqtt5(broker, "bad uid"), broker.token("ok-user"));
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(ack.getReasonString().orElseThrow().toString()).contains("uid must be").contains("'bad uid'");
        final Mqtt5ConnAck tooLong = refused(mqtt5(broker, "u".repeat(65)), broker.token("ok-user"));
        assertThat(tooLong.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(tooLong.getReasonString().orElseThrow().toString()).contains("65 characters long");
    }

    @Test
    void emptyClientId_isRefusedAsABadClientId_notAsABadPassword_inMqtt5And311() {
        // HiveMQ assigns an id to an empty one before the extension sees it; the answer must still be about the id
        final Mqtt5BlockingClient v5 = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        final Mqtt5ConnAck ack = refused(v5, broker.token("ok-user"));
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(ack.getReasonString().orElseThrow().toString()).isEqualTo("client id must be the uid, but it was empty");
        final com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient v3 = com.hivemq.client.mqtt.MqttClient.builder()
                .useMqttVersion3().serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        final com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException refused3 = catchThrowableOfType(
                com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException.class,
                () -> v3.connectWith().cleanSession(true).simpleAuth().username("ok-user")
                        .password(broker.token("ok-user").getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
        assertThat(refused3.getMqttMessage().getReturnCode()).isEqualTo(
                com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED);
    }

    @Test
    void wrongSubject_forgedSignature_garbageAndMissingToken_areRefusedWith0x86() {
        final Mqtt5ConnAck wrongSub = refused(mqtt5(broker, "eve"), broker.token("alice"));
        assertThat(wrongSub.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(wrongSub.getReasonString().orElseThrow().toString())
                .isEqualTo("token subject 'alice' does not match client id 'eve'");

        final String forged = new Tokens("another-deployments-secret-0123456789-xyz".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC(), Duration.ZERO).mint("eve", Role.ADMIN, Duration.ofHours(1));
        final Mqtt5ConnAck forgedAck = refused(mqtt5(broker, "eve"), forged);
        assertThat(forgedAck.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(forgedAck.getReasonString().orElseThrow().toString()).contains("signature is not valid");

        final Mqtt5ConnAck garbage = refused(mqtt5(broker, "eve"), "not-a-jwt");
        assertThat(garbage.getReasonString().orElseThrow().toString()).isEqualTo("token is not a JWT");

        final Mqtt5BlockingClient noPassword = mqtt5(broker, "eve");
        final Mqtt5ConnAck none = catchThrowableOfType(Mqtt5ConnAckException.class, noPassword::connect).getMqttMessage();
        assertThat(none.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(none.getReasonString().orElseThrow().toString()).contains("none was given");
    }

    @Test
    void expiredToken_isRefusedWith0x87() {
        final Tokens past = new Tokens(EmbeddedBroker.SECRET.getBytes(StandardCharsets.UTF_8),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC), Duration.ZERO);
        final Mqtt5ConnAck ack = refused(mqtt5(broker, "late"), past.mint("late", Role.USER, Duration.ofHours(1)));
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(ack.getReasonString().orElseThrow().toString()).startsWith("token expired at");
    }

    @Test
    void willOnAnRtmTopic_isRefused() {
        final Mqtt5BlockingClient c = mqtt5(broker, "willy");
        final Mqtt5ConnAck ack = catchThrowableOfType(Mqtt5ConnAckException.class, () -> c.connectWith()
                .willPublish().topic("rtm/user/bob/inbox/willy").payload("gone".getBytes(StandardCharsets.UTF_8))
                .applyWillPublish()
                .simpleAuth().password(broker.token("willy").getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send()).getMqttMessage();
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(ack.getReasonString().orElseThrow().toString()).contains("will topic").contains("rtm/user/bob/inbox/willy");
    }

    @Test
    void secondLogin_takesTheSessionOver_andTheFirstGets0x8E() throws Exception {
        final Mqtt5BlockingClient first = mqtt5(broker, "twin");
        final CompletableFuture<Throwable> firstGone = new CompletableFuture<>();
        final Mqtt5BlockingClient firstWithListener = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                .identifier("twin").serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(ctx -> firstGone.complete(ctx.getCause()))
                .buildBlocking();
        connectWithToken(firstWithListener, broker.token("twin"));
        final Mqtt5BlockingClient second = mqtt5(broker, "twin");
        connectWithToken(second, broker.token("twin"));
        final Throwable cause = firstGone.get(5, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        assertThat(second.getState().isConnected()).isTrue();
        assertThat(first.getState().isConnected()).isFalse();
        second.disconnect();
    }
}
