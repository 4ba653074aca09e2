package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;
import org.openrtm.sdk.broadcast.BroadcastMessage;
import org.openrtm.sdk.broadcast.BroadcastResult;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Broadcasts: users listen, services send, users may not. */
class BroadcastIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void aServiceBroadcasts_listenersGetIt_untilTheyStop_andTheServiceNotItsOwn() throws Exception {
        final Recorder userSees = new Recorder();
        final Recorder serviceSees = new Recorder();
        try (RtmClient user = TestClients.loggedIn(broker, "b-user", userSees);
             RtmClient service = TestClients.listening(RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port())
                     .uid("b-service").token(broker.token("b-service", Role.SERVICE)), serviceSees).build()) {
            service.login().get(10, TimeUnit.SECONDS);
            user.broadcasts().listen().get(10, TimeUnit.SECONDS);
            service.broadcasts().listen().get(10, TimeUnit.SECONDS);
            assertThat(user.broadcasts().isListening()).isTrue();

            final BroadcastResult sent = service.broadcasts().send("firmware 2.1 is out").get(10, TimeUnit.SECONDS);
            assertThat(sent.recipients()).isEqualTo(1);
            final BroadcastMessage got = Recorder.next(userSees.broadcasts);
            assertThat(got.from()).isEqualTo("b-service");
            assertThat(got.text()).isEqualTo("firmware 2.1 is out");
            assertThat(got.messageId()).isEqualTo(sent.messageId());
            assertThat(serviceSees.broadcasts.poll(500, TimeUnit.MILLISECONDS)).as("the service's own").isNull();

            user.broadcasts().stopListening().get(10, TimeUnit.SECONDS);
            assertThat(user.broadcasts().isListening()).isFalse();
            service.broadcasts().send(new byte[] {7}).get(10, TimeUnit.SECONDS);
            assertThat(userSees.broadcasts.poll(500, TimeUnit.MILLISECONDS)).as("after stopListening").isNull();
        }
    }

    @Test
    void aUserMayNotBroadcast() {
        try (RtmClient user = TestClients.loggedIn(broker, "b-user2", new Recorder())) {
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> user.broadcasts().send("hello everyone").get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(ForbiddenException.class)
                    .hasMessageContaining("broadcasting needs role service or admin");
        }
    }
}
