package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.ForbiddenException;
import org.openrtm.sdk.InvalidRequestException;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmErrorCode;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Refusals that the public API cannot provoke (it never spoofs, never writes server-only topics, never sends bad
 * properties), sent through the same outbox and result mapping with the engine's raw publish.
 */
class ServerRefusalsIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static RtmException refusal(final RtmClient c, final String topic, final Map<String, String> props) {
        final ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> ((DefaultRtmClient) c).core()
                .sendRaw(topic, "x".getBytes(StandardCharsets.UTF_8), props).get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(RtmException.class);
        return (RtmException) e.getCause();
    }

    @Test
    void serverOnlyTopic_andSpoofedSender_areForbidden() {
        try (RtmClient c = TestClients.loggedIn(broker, "mallory", new Recorder())) {
            final RtmException presence = refusal(c, "rtm/user/mallory/presence", Map.of());
            assertThat(presence).isInstanceOf(ForbiddenException.class).hasMessageContaining("written only by the server")
                    .hasMessageContaining("forbidden, PUBACK 0x87");
            assertThat(presence.code()).isEqualTo(RtmErrorCode.FORBIDDEN);
            assertThat(refusal(c, "rtm/user/bob/inbox/alice", Map.of())).isInstanceOf(ForbiddenException.class)
                    .hasMessageContaining("sender level");
        }
    }

    @Test
    void badPropertyValue_andBadTopicLevel_areInvalid() {
        try (RtmClient c = TestClients.loggedIn(broker, "sloppy", new Recorder())) {
            final RtmException badProp = refusal(c, "rtm/user/bob/inbox/sloppy", Map.of("rtm-offline", "maybe"));
            assertThat(badProp).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("rtm-offline must be true or false");
            assertThat(badProp.code()).isEqualTo(RtmErrorCode.INVALID);
            final RtmException badLevel = refusal(c, "rtm/user/bo b/inbox/sloppy", Map.of());
            assertThat(badLevel).isInstanceOf(InvalidRequestException.class).hasMessageContaining("PUBACK 0x90");
        }
    }
}
