package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.openrtm.sdk.call.InvitationOptions;
import org.openrtm.sdk.channel.ChannelSendOptions;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The peer, channel and call option builders share their checks: the same argument gets the same answer. */
class SendOptionsTest {

    @Test
    void peerAndChannelOptions_refuseTheSameArgumentsWithTheSameMessages() {
        final SendOptions.Builder peer = SendOptions.builder();
        final ChannelSendOptions.Builder channel = ChannelSendOptions.builder();
        assertThat(catchThrowable(() -> peer.timeout(Duration.ZERO))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be positive, but was PT0S")
                .hasMessage(catchThrowable(() -> channel.timeout(Duration.ZERO)).getMessage());
        assertThat(catchThrowable(() -> peer.clientMessageId("x".repeat(129))))
                .hasMessage("clientMessageId must be 1 to 128 characters, but was 129 characters")
                .hasMessage(catchThrowable(() -> channel.clientMessageId("x".repeat(129))).getMessage());
        assertThat(catchThrowable(() -> peer.property("rtm-ts", "1")))
                .hasMessage("property name must be non-empty and must not start with 'rtm-', but was 'rtm-ts'")
                .hasMessage(catchThrowable(() -> channel.property("rtm-ts", "1")).getMessage());
        assertThat(catchThrowable(() -> InvitationOptions.builder().timeout(Duration.ofSeconds(-1))))
                .hasMessage("timeout must be positive, but was PT-1S");
        assertThat(SendOptions.MAX_CLIENT_MESSAGE_ID_LENGTH).isEqualTo(ChannelSendOptions.MAX_CLIENT_MESSAGE_ID_LENGTH)
                .isEqualTo(128);
    }

    @Test
    void validArguments_areKept() {
        final SendOptions peer = SendOptions.builder().timeout(Duration.ofSeconds(2)).clientMessageId("c-1")
                .property("k", "v").build();
        final ChannelSendOptions channel = ChannelSendOptions.builder().timeout(null).clientMessageId(null)
                .property("k", "v").build();
        assertThat(peer.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(peer.clientMessageId()).isEqualTo("c-1");
        assertThat(peer.properties()).isEqualTo(Map.of("k", "v"));
        assertThat(channel.timeout()).isNull();
        assertThat(channel.clientMessageId()).isNull();
        assertThat(channel.properties()).isEqualTo(Map.of("k", "v"));
    }
}
