package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.call.CallFailureReason;
import org.openrtm.sdk.call.CallListener;
import org.openrtm.sdk.call.InvitationOptions;
import org.openrtm.sdk.call.LocalInvitation;
import org.openrtm.sdk.call.RemoteInvitation;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.openrtm.sdk.testing.Recorder.next;

/** Call invitations, every path: accepted, refused, canceled, and each failure, with the server's timers shortened. */
class CallsIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of(
            "call.offline-timeout", "1s", "call.ack-timeout", "1s", "call.answer-timeout", "1s",
            "call.max-content-bytes", "100"));

    /** Records every call callback as "kind id detail", with the thread it ran on. */
    private static class Calls implements CallListener {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        final BlockingQueue<RemoteInvitation> invitations = new LinkedBlockingQueue<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        private void add(final String s) {
            threads.add(Thread.currentThread().getName());
            seen.add(s);
        }

        @Override
        public void onLocalInvitationReceivedByPeer(final LocalInvitation i) {
            add("received-by-peer " + i.id());
        }

        @Override
        public void onLocalInvitationAccepted(final LocalInvitation i, final String response) {
            add("accepted " + i.id() + " " + response);
        }

        @Override
        public void onLocalInvitationRefused(final LocalInvitation i, final String response) {
            add("refused " + i.id() + " " + response);
        }

        @Override
        public void onLocalInvitationCanceled(final LocalInvitation i) {
            add("canceled " + i.id());
        }

        @Override
        public void onLocalInvitationFailed(final LocalInvitation i, final CallFailureReason reason) {
            add("failed " + i.id() + " " + reason);
        }

        @Override
        public void onRemoteInvitationReceived(final RemoteInvitation i) {
            add("invited " + i.id() + " by " + i.caller() + " " + i.content() + " " + i.channel());
            invitations.add(i);
        }

        @Override
        public void onRemoteInvitationAccepted(final RemoteInvitation i) {
            add("i-accepted " + i.id());
        }

        @Override
        public void onRemoteInvitationRefused(final RemoteInvitation i) {
            add("i-refused " + i.id());
        }

        @Override
        public void onRemoteInvitationCanceled(final RemoteInvitation i) {
            add("caller-canceled " + i.id());
        }

        @Override
        public void onRemoteInvitationFailed(final RemoteInvitation i, final CallFailureReason reason) {
            add("remote-failed " + i.id() + " " + reason);
        }
    }

    private static RtmClient client(final String uid, final Calls calls) throws Exception {
        final RtmClient c = TestClients.builder(broker, uid).callListener(calls).build();
        c.login().get(10, TimeUnit.SECONDS);
        return c;
    }

    private static <T> T get(final CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(final CompletableFuture<?> f) {
        return catchThrowableOfType(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void invite_isReceivedByThePeer_andAccepted_withTheResponse_onTheCallbackThread() throws Exception {
        final Calls phoneSees = new Calls();
        final Calls carSees = new Calls();
        try (RtmClient phone = client("phone1", phoneSees); RtmClient car = client("car1", carSees)) {
            final LocalInvitation inv = phone.calls().invite("car1", InvitationOptions.builder().id("unlock-1")
                    .content("unlock").channel("garage").build());
            assertThat(inv.id()).isEqualTo("unlock-1");
            assertThat(get(inv.sent())).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(next(carSees.seen)).isEqualTo("invited unlock-1 by phone1 unlock garage");
            assertThat(next(phoneSees.seen)).isEqualTo("received-by-peer unlock-1");
            assertThat(inv.state()).isEqualTo(LocalInvitation.State.RECEIVED);

            final RemoteInvitation got = next(carSees.invitations);
            assertThat(got.state()).isEqualTo(RemoteInvitation.State.RECEIVED);
            get(got.accept("unlocked"));
            assertThat(got.state()).isEqualTo(RemoteInvitation.State.ACCEPTED);
            assertThat(got.response()).isEqualTo("unlocked");
            assertThat(next(carSees.seen)).isEqualTo("i-accepted unlock-1");
            assertThat(next(phoneSees.seen)).isEqualTo("accepted unlock-1 unlocked");
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.ACCEPTED);
            assertThat(inv.response()).isEqualTo("unlocked");
            assertThat(inv.failureReason()).isNull();

            // answering twice, or cancelling what is over, is a conflict
            assertThat(failure(got.refuse(null))).isInstanceOf(ConflictException.class).hasMessageContaining("over");
            assertThat(failure(inv.cancel())).isInstanceOf(ConflictException.class).hasMessageContaining("ACCEPTED");
            assertThat(phoneSees.seen.poll(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(phoneSees.threads).allMatch(t -> t.equals("rtm-callback-phone1"));
            assertThat(carSees.threads).allMatch(t -> t.equals("rtm-callback-car1"));
        }
    }

    @Test
    void refused_withTheResponse() throws Exception {
        final Calls phoneSees = new Calls();
        final Calls carSees = new Calls();
        try (RtmClient phone = client("phone2", phoneSees); RtmClient car = client("car2", carSees)) {
            final LocalInvitation inv = phone.calls().invite("car2");
            final RemoteInvitation got = next(carSees.invitations);
            assertThat(got.id()).isEqualTo(inv.id());
            assertThat(got.content()).isNull();
            get(got.refuse("engine running"));
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.REFUSED);
            assertThat(inv.response()).isEqualTo("engine running");
            assertThat(phoneSees.seen).contains("refused " + inv.id() + " engine running");
            assertThat(got.state()).isEqualTo(RemoteInvitation.State.REFUSED);
        }
    }

    @Test
    void cancel_byTheCaller_tellsTheCallee_andLaterAnswersConflict() throws Exception {
        final Calls phoneSees = new Calls();
        final Calls carSees = new Calls();
        try (RtmClient phone = client("phone3", phoneSees); RtmClient car = client("car3", carSees)) {
            final LocalInvitation inv = phone.calls().invite("car3");
            final RemoteInvitation got = next(carSees.invitations);
            assertThat(next(phoneSees.seen)).startsWith("received-by-peer");
            get(inv.cancel());
            assertThat(inv.state()).isEqualTo(LocalInvitation.State.CANCELED);
            assertThat(next(phoneSees.seen)).isEqualTo("canceled " + inv.id());
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.CANCELED);
            next(carSees.seen); // invited
            assertThat(next(carSees.seen)).isEqualTo("caller-canceled " + inv.id());
            assertThat(got.state()).isEqualTo(RemoteInvitation.State.CANCELED);
            assertThat(failure(got.accept("too late"))).isInstanceOf(ConflictException.class);
        }
    }

    @Test
    void calleeOffline_isCached_thenFailsWithPeerOffline() throws Exception {
        final Calls phoneSees = new Calls();
        try (RtmClient phone = client("phone4", phoneSees)) {
            final LocalInvitation inv = phone.calls().invite("car4-asleep");
            assertThat(get(inv.sent())).isEqualTo(DeliveryStatus.CACHED);
            assertThat(inv.state()).isIn(LocalInvitation.State.WAITING, LocalInvitation.State.FAILED);
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(inv.failureReason()).isEqualTo(CallFailureReason.PEER_OFFLINE);
            assertThat(next(phoneSees.seen)).isEqualTo("failed " + inv.id() + " PEER_OFFLINE");
        }
    }

    @Test
    void receivedButUnanswered_failsWithExpired_onBothSides() throws Exception {
        final Calls phoneSees = new Calls();
        final Calls carSees = new Calls();
        try (RtmClient phone = client("phone5", phoneSees); RtmClient car = client("car5", carSees)) {
            final LocalInvitation inv = phone.calls().invite("car5");
            final RemoteInvitation got = next(carSees.invitations);
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(inv.failureReason()).isEqualTo(CallFailureReason.EXPIRED);
            next(carSees.seen); // invited
            assertThat(next(carSees.seen)).isEqualTo("remote-failed " + inv.id() + " EXPIRED");
            assertThat(got.failureReason()).isEqualTo(CallFailureReason.EXPIRED);
            assertThat(failure(got.accept(null))).isInstanceOf(ConflictException.class);
        }
    }

    @Test
    void aCalleeThatDoesNotAcknowledge_failsWithNoResponse() throws Exception {
        final Calls phoneSees = new Calls();
        final CountDownLatch release = new CountDownLatch(1);
        final Calls carSees = new Calls() {
            @Override
            public void onRemoteInvitationReceived(final RemoteInvitation i) {
                super.onRemoteInvitationReceived(i);
                try {
                    // a listener that hangs: the client acknowledges the invite only after it returns
                    release.await(10, TimeUnit.SECONDS);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (RtmClient phone = client("phone6", phoneSees); RtmClient car = client("car6", carSees)) {
            final LocalInvitation inv = phone.calls().invite("car6");
            next(carSees.invitations);
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(inv.failureReason()).isEqualTo(CallFailureReason.NO_RESPONSE);
            release.countDown();
        }
    }

    @Test
    void refusedInvitations_failWithTypedErrors_andNotSent() throws Exception {
        final Calls phoneSees = new Calls();
        try (RtmClient phone = client("phone7", phoneSees)) {
            final LocalInvitation big = phone.calls().invite("car7", InvitationOptions.builder().content("x".repeat(101))
                    .build());
            assertThat(failure(big.sent())).isInstanceOf(PayloadTooLargeException.class)
                    .hasMessageContaining("call.max-content-bytes");
            assertThat(get(big.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(big.failureReason()).isEqualTo(CallFailureReason.NOT_SENT);

            final LocalInvitation self = phone.calls().invite("phone7");
            assertThat(failure(self.sent())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("you cannot call yourself");
            assertThat(get(self.outcome())).isEqualTo(LocalInvitation.State.FAILED);

            final LocalInvitation open = phone.calls().invite("car7-off", InvitationOptions.builder().id("same").build());
            final LocalInvitation twice = phone.calls().invite("car7-other", InvitationOptions.builder().id("same").build());
            assertThat(failure(twice.sent())).isInstanceOf(ConflictException.class).hasMessageContaining("in use");
            assertThat(twice.failureReason()).isEqualTo(CallFailureReason.NOT_SENT);
            assertThat(get(open.sent())).isEqualTo(DeliveryStatus.CACHED);
            assertThatThrownBy(() -> phone.calls().invite("a b")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> InvitationOptions.builder().timeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, but was PT0S");
        }
        try (RtmClient loggedOut = TestClients.builder(broker, "phone7b").build()) {
            final LocalInvitation inv = loggedOut.calls().invite("car7");
            assertThat(failure(inv.sent())).isInstanceOf(NotLoggedInException.class);
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(inv.failureReason()).isEqualTo(CallFailureReason.NOT_SENT);
        }
    }

    @Test
    void theInvitationsOwnTimeout_endsItAndCancelsIt_andLogoutEndsOpenInvitations() throws Exception {
        final Calls phoneSees = new Calls();
        final Calls carSees = new Calls();
        try (RtmClient phone = client("phone8", phoneSees); RtmClient car = client("car8", carSees)) {
            final LocalInvitation inv = phone.calls().invite("car8", InvitationOptions.builder()
                    .timeout(Duration.ofMillis(300)).build());
            next(carSees.invitations);
            assertThat(get(inv.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(inv.failureReason()).isEqualTo(CallFailureReason.TIMEOUT);
            // the SDK canceled it on the server: the callee is told
            next(carSees.seen); // invited
            assertThat(next(carSees.seen)).isEqualTo("caller-canceled " + inv.id());

            final LocalInvitation open = phone.calls().invite("car8");
            final RemoteInvitation got = next(carSees.invitations);
            get(car.logout());
            assertThat(got.state()).isEqualTo(RemoteInvitation.State.FAILED);
            assertThat(got.failureReason()).isEqualTo(CallFailureReason.SESSION_ENDED);
            get(phone.logout());
            assertThat(get(open.outcome())).isEqualTo(LocalInvitation.State.FAILED);
            assertThat(open.failureReason()).isEqualTo(CallFailureReason.SESSION_ENDED);
        }
    }
}
