package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.presence.PresenceEvent;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Presence: query, subscribe with a listener, unsubscribe, the subscription limit, logout. */
class PresenceIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("presence.max-subscriptions", "3"));

    @Test
    void query_tellsOnlineAndOffline_andNeverSeenUsersAreOffline() throws Exception {
        try (RtmClient asker = TestClients.loggedIn(broker, "asker", new Recorder());
             RtmClient on = TestClients.loggedIn(broker, "q-on", new Recorder());
             RtmClient gone = TestClients.loggedIn(broker, "q-gone", new Recorder())) {
            gone.logout().get(10, TimeUnit.SECONDS);
            final Map<String, OnlineState> states = asker.presence().query(List.of("q-on", "q-gone", "q-never"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(states).containsExactly(Map.entry("q-on", OnlineState.ONLINE), Map.entry("q-gone", OnlineState.OFFLINE),
                    Map.entry("q-never", OnlineState.OFFLINE));
            assertThat(on.state()).isEqualTo(ConnectionState.CONNECTED);
        }
    }

    @Test
    void query_checksItsArguments() {
        try (RtmClient asker = TestClients.loggedIn(broker, "asker2", new Recorder())) {
            final List<String> many = new ArrayList<>();
            for (int i = 0; i < 257; i++) {
                many.add("u" + i);
            }
            assertThatThrownBy(() -> asker.presence().query(many)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("uids must list at most 256 users, but listed 257");
            assertThatThrownBy(() -> asker.presence().query(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one uid");
            assertThatThrownBy(() -> asker.presence().query(List.of("a b"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("uids: uid must be 1 to 64 characters");
        }
    }

    @Test
    void subscribe_givesTheCurrentStateThenEveryChange_onTheCallbackThread_untilUnsubscribed() throws Exception {
        final Recorder sees = new Recorder();
        try (RtmClient watcher = TestClients.loggedIn(broker, "watcher", sees)) {
            final RtmClient device = TestClients.loggedIn(broker, "device", new Recorder());
            watcher.presence().subscribe(List.of("device", "newcomer")).get(10, TimeUnit.SECONDS);
            assertThat(watcher.presence().subscriptions()).containsExactly("device", "newcomer");

            final PresenceEvent first = Recorder.next(sees.presence);
            assertThat(first.uid()).isEqualTo("device");
            assertThat(first.state()).isEqualTo(OnlineState.ONLINE);
            assertThat(first.isInitial()).isTrue();
            assertThat(first.via()).isEqualTo("mqtt");

            device.logout().get(10, TimeUnit.SECONDS);
            final PresenceEvent offline = Recorder.next(sees.presence);
            assertThat(offline.uid()).isEqualTo("device");
            assertThat(offline.state()).isEqualTo(OnlineState.OFFLINE);
            assertThat(offline.isInitial()).isFalse();
            assertThat(offline.since()).isAfterOrEqualTo(first.since());

            // a user the server had never seen: nothing until it logs in, then a change (not an initial state)
            try (RtmClient newcomer = TestClients.loggedIn(broker, "newcomer", new Recorder())) {
                final PresenceEvent online = Recorder.next(sees.presence);
                assertThat(online.uid()).isEqualTo("newcomer");
                assertThat(online.state()).isEqualTo(OnlineState.ONLINE);
                assertThat(online.isInitial()).isFalse();
                assertThat(newcomer.state()).isEqualTo(ConnectionState.CONNECTED);
            }
            assertThat(Recorder.next(sees.presence).state()).isEqualTo(OnlineState.OFFLINE);

            watcher.presence().unsubscribe(List.of("device")).get(10, TimeUnit.SECONDS);
            assertThat(watcher.presence().subscriptions()).containsExactly("newcomer");
            device.login().get(10, TimeUnit.SECONDS);
            assertThat(sees.presence.poll(1, TimeUnit.SECONDS)).as("no event after unsubscribing").isNull();
            device.close();
            assertThat(sees.threads).allMatch(t -> t.equals("rtm-callback-watcher"));
        }
    }

    @Test
    void subscriptionLimit_isATypedError_andTheRefusedCallChangesNothing() throws Exception {
        final Recorder sees = new Recorder();
        try (RtmClient watcher = TestClients.loggedIn(broker, "limited", sees)) {
            watcher.presence().subscribe(List.of("l1", "l2")).get(10, TimeUnit.SECONDS);
            // the server grants l3 (the third of three) and refuses l4 and l5: the SDK undoes l3
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> watcher.presence().subscribe(List.of("l3", "l4", "l5")).get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("presence.max-subscriptions = 3").hasMessageContaining("SUBACK 0x97");
            final LimitExceededException limit = (LimitExceededException) e.getCause();
            assertThat(limit.limit()).isEqualTo(LimitExceededException.Limit.PRESENCE_SUBSCRIPTIONS);
            assertThat(limit.code()).isEqualTo(RtmErrorCode.LIMIT_EXCEEDED);
            assertThat(watcher.presence().subscriptions()).containsExactly("l1", "l2");

            // the undo freed the server's slot: one more fits, and re-subscribing a watched user does not count
            watcher.presence().subscribe(List.of("l3", "l1")).get(10, TimeUnit.SECONDS);
            assertThat(watcher.presence().subscriptions()).containsExactly("l1", "l2", "l3");
            try (RtmClient l4 = TestClients.loggedIn(broker, "l4", new Recorder())) {
                assertThat(l4.state()).isEqualTo(ConnectionState.CONNECTED);
                assertThat(sees.presence.poll(1, TimeUnit.SECONDS)).as("l4 is not watched").isNull();
            }
        }
    }

    @Test
    void logout_endsTheSubscriptions_andOperationsNeedALogin() throws Exception {
        final Recorder sees = new Recorder();
        try (RtmClient watcher = TestClients.loggedIn(broker, "leaver", sees)) {
            watcher.presence().subscribe(List.of("x1")).get(10, TimeUnit.SECONDS);
            watcher.logout().get(10, TimeUnit.SECONDS);
            assertThat(watcher.presence().subscriptions()).isEmpty();
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> watcher.presence().subscribe(List.of("x1")).get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(NotLoggedInException.class);
            watcher.login().get(10, TimeUnit.SECONDS);
            assertThat(watcher.presence().subscriptions()).isEqualTo(Collections.emptySet());
            try (RtmClient x1 = TestClients.loggedIn(broker, "x1", new Recorder())) {
                assertThat(x1.state()).isEqualTo(ConnectionState.CONNECTED);
                assertThat(sees.presence.poll(1, TimeUnit.SECONDS)).as("the old subscription is gone").isNull();
            }
        }
    }
}
