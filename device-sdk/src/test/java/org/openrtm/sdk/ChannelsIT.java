package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.channel.ChannelCount;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.channel.ChannelSendOptions;
import org.openrtm.sdk.channel.ChannelSendResult;
import org.openrtm.sdk.channel.JoinOptions;
import org.openrtm.sdk.channel.MemberEvent;
import org.openrtm.sdk.channel.MemberPage;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** Channels: join, leave, send with and without lists, member events, counts, listings, the join limit, errors. */
class ChannelsIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withSettings(Map.of("channel.max-joined", "3",
            "channel.count-interval", "200ms"));

    private static ChannelCount countReaching(final Recorder r, final int n) throws InterruptedException {
        return Recorder.nextMatching(r.counts, c -> c.count() == n);
    }

    @Test
    void members_seeEachOthersMessages_butNotTheirOwn_withIdsAndRecipients() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "c1-alice", aliceSees);
             RtmClient bob = TestClients.loggedIn(broker, "c1-bob", bobSees)) {
            alice.channels().join("c1-room").get(10, TimeUnit.SECONDS);
            bob.channels().join("c1-room").get(10, TimeUnit.SECONDS);
            assertThat(alice.channels().joined()).containsExactly("c1-room");

            final ChannelSendResult sent = alice.channels().send("c1-room", "hello room",
                    ChannelSendOptions.builder().property("kind", "greeting").build()).get(10, TimeUnit.SECONDS);
            assertThat(sent.recipients()).isEqualTo(1);
            assertThat(sent.channel()).isEqualTo("c1-room");
            final ChannelMessage got = Recorder.next(bobSees.channelMessages);
            assertThat(got.channel()).isEqualTo("c1-room");
            assertThat(got.from()).isEqualTo("c1-alice");
            assertThat(got.text()).isEqualTo("hello room");
            assertThat(got.isText()).isTrue();
            assertThat(got.messageId()).isEqualTo(sent.messageId());
            assertThat(got.properties()).containsExactly(Map.entry("kind", "greeting"));
            assertThat(got.serverTime()).isAfter(java.time.Instant.now().minusSeconds(60));

            bob.channels().send("c1-room", new byte[] {1, 2, 3}, ChannelSendOptions.defaults()).get(10, TimeUnit.SECONDS);
            final ChannelMessage bytes = Recorder.next(aliceSees.channelMessages);
            assertThat(bytes.payload()).containsExactly(1, 2, 3);
            assertThat(bytes.isText()).isFalse();
            assertThat(aliceSees.channelMessages.poll(500, TimeUnit.MILLISECONDS)).as("alice's own message").isNull();
            assertThat(bobSees.channelMessages.poll(100, TimeUnit.MILLISECONDS)).as("bob's own message").isNull();
            assertThat(aliceSees.threads).allMatch(t -> t.equals("rtm-callback-c1-alice"));
        }
    }

    @Test
    void memberEventsAndCounts_followJoinsAndLeaves_theInitialListFlagged() throws Exception {
        final Recorder aliceSees = new Recorder();
        final Recorder bobSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "c2-alice", aliceSees);
             RtmClient bob = TestClients.loggedIn(broker, "c2-bob", bobSees);
             RtmClient carol = TestClients.loggedIn(broker, "c2-carol", new Recorder())) {
            alice.channels().join("c2-room").get(10, TimeUnit.SECONDS);
            assertThat(countReaching(aliceSees, 1).channel()).isEqualTo("c2-room");

            bob.channels().join("c2-room").get(10, TimeUnit.SECONDS);
            // bob finds alice already there: an initial event; his own join is not an event
            final MemberEvent aliceThere = Recorder.next(bobSees.members);
            assertThat(aliceThere.uid()).isEqualTo("c2-alice");
            assertThat(aliceThere.isInitial()).isTrue();
            assertThat(aliceThere.since()).isNotNull();
            // alice is told bob joined
            final MemberEvent bobJoined = Recorder.next(aliceSees.members);
            assertThat(bobJoined.uid()).isEqualTo("c2-bob");
            assertThat(bobJoined.channel()).isEqualTo("c2-room");
            assertThat(bobJoined.isInitial()).isFalse();
            assertThat(countReaching(aliceSees, 2).isInitial()).isFalse();
            final ChannelCount bobsFirst = Recorder.next(bobSees.counts);
            assertThat(bobsFirst.isInitial()).isTrue();

            carol.channels().join("c2-room").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(aliceSees.members).uid()).isEqualTo("c2-carol");
            countReaching(aliceSees, 3);
            carol.channels().leave("c2-room").get(10, TimeUnit.SECONDS);
            assertThat(carol.channels().joined()).isEmpty();
            final MemberEvent left = Recorder.next(aliceSees.members);
            assertThat(left.uid()).isEqualTo("c2-carol");
            assertThat(left.since()).as("a leave").isNull();
            countReaching(aliceSees, 2);
            // logging out leaves every channel
            bob.logout().get(10, TimeUnit.SECONDS);
            final MemberEvent bobLeft = Recorder.next(aliceSees.members);
            assertThat(bobLeft.uid()).isEqualTo("c2-bob");
            assertThat(bobLeft.since()).isNull();
            assertThat(bob.channels().joined()).isEmpty();
            assertThat(countReaching(aliceSees, 1).count()).isEqualTo(1);
        }
    }

    @Test
    void joinWithoutMemberEventsOrCounts_getsOnlyMessages() throws Exception {
        final Recorder quietSees = new Recorder();
        try (RtmClient quiet = TestClients.loggedIn(broker, "c3-quiet", quietSees);
             RtmClient loud = TestClients.loggedIn(broker, "c3-loud", new Recorder())) {
            quiet.channels().join("c3-room", JoinOptions.builder().memberEvents(false).countUpdates(false).build())
                    .get(10, TimeUnit.SECONDS);
            loud.channels().join("c3-room").get(10, TimeUnit.SECONDS);
            loud.channels().send("c3-room", "psst").get(10, TimeUnit.SECONDS);
            assertThat(Recorder.next(quietSees.channelMessages).text()).isEqualTo("psst");
            assertThat(quietSees.members).isEmpty();
            assertThat(quietSees.counts).isEmpty();
        }
    }

    @Test
    void whitelistAndBlacklist_chooseTheRecipients() throws Exception {
        final Recorder bobSees = new Recorder();
        final Recorder carolSees = new Recorder();
        try (RtmClient alice = TestClients.loggedIn(broker, "c4-alice", new Recorder());
             RtmClient bob = TestClients.loggedIn(broker, "c4-bob", bobSees);
             RtmClient carol = TestClients.loggedIn(broker, "c4-carol", carolSees)) {
            for (final RtmClient c : List.of(alice, bob, carol)) {
                c.channels().join("c4-room").get(10, TimeUnit.SECONDS);
            }
            final ChannelSendResult onlyBob = alice.channels().send("c4-room", "for bob",
                    ChannelSendOptions.builder().only(List.of("c4-bob", "c4-nobody")).build()).get(10, TimeUnit.SECONDS);
            assertThat(onlyBob.recipients()).isEqualTo(1);
            assertThat(Recorder.next(bobSees.channelMessages).text()).isEqualTo("for bob");
            final ChannelSendResult notBob = alice.channels().send("c4-room", "not for bob",
                    ChannelSendOptions.builder().except(List.of("c4-bob")).build()).get(10, TimeUnit.SECONDS);
            assertThat(notBob.recipients()).isEqualTo(1);
            final ChannelMessage carolGot = Recorder.next(carolSees.channelMessages);
            assertThat(carolGot.text()).isEqualTo("not for bob");
            assertThat(carolGot.properties()).as("the lists are not delivered").isEmpty();
            assertThat(bobSees.channelMessages.poll(500, TimeUnit.MILLISECONDS)).isNull();
            assertThat(carolSees.channelMessages).isEmpty();
        }
    }

    @Test
    void sendingToAChannelNotJoined_isForbidden() {
        try (RtmClient outsider = TestClients.loggedIn(broker, "c5-outsider", new Recorder())) {
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> outsider.channels().send("c5-room", "let me in").get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(ForbiddenException.class)
                    .hasMessageContaining("you are not a member of channel 'c5-room'")
                    .hasMessageContaining("call channels().join(\"c5-room\") first")
                    .hasMessageNotContaining("rtm/")
                    .hasMessageContaining("forbidden, PUBACK 0x87");
            assertThat(((RtmException) e.getCause()).code()).isEqualTo(RtmErrorCode.FORBIDDEN);
        }
    }

    @Test
    void joinLimit_isATypedError_theClientIsNotInTheChannel_andLeavingFreesASlot() throws Exception {
        final Recorder sees = new Recorder();
        try (RtmClient busy = TestClients.loggedIn(broker, "c6-busy", sees)) {
            for (final String cid : List.of("c6-a", "c6-b", "c6-c")) {
                busy.channels().join(cid).get(10, TimeUnit.SECONDS);
            }
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> busy.channels().join("c6-d").get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("channel.max-joined = 3").hasMessageContaining("SUBACK 0x97");
            assertThat(((LimitExceededException) e.getCause()).limit())
                    .isEqualTo(LimitExceededException.Limit.CHANNELS_JOINED);
            assertThat(busy.channels().joined()).containsExactly("c6-a", "c6-b", "c6-c");
            assertThat(busy.channels().joinedOnServer().get(10, TimeUnit.SECONDS)).containsExactly("c6-a", "c6-b", "c6-c");
            // the member list and count subscriptions granted with the refused join were undone
            assertThat(busy.state()).isEqualTo(ConnectionState.CONNECTED);

            busy.channels().leave("c6-a").get(10, TimeUnit.SECONDS);
            busy.channels().join("c6-d").get(10, TimeUnit.SECONDS);
            assertThat(busy.channels().joinedOnServer().get(10, TimeUnit.SECONDS)).containsExactly("c6-b", "c6-c", "c6-d");
        }
    }

    @Test
    void memberListing_pagesCountsAndJoinedChannels() throws Exception {
        final List<RtmClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                final RtmClient c = TestClients.loggedIn(broker, "c7-m" + i, new Recorder());
                clients.add(c);
                c.channels().join("c7-room").get(10, TimeUnit.SECONDS);
            }
            final RtmClient asker = clients.get(0);
            clients.get(1).channels().join("c7-other").get(10, TimeUnit.SECONDS);

            final MemberPage first = asker.channels().members("c7-room", 2, null).get(10, TimeUnit.SECONDS);
            assertThat(first.members()).containsExactly("c7-m0", "c7-m1");
            assertThat(first.hasMore()).isTrue();
            final MemberPage second = asker.channels().members("c7-room", 2, first.cursor()).get(10, TimeUnit.SECONDS);
            assertThat(second.members()).containsExactly("c7-m2", "c7-m3");
            final MemberPage last = asker.channels().members("c7-room", 2, second.cursor()).get(10, TimeUnit.SECONDS);
            assertThat(last.members()).containsExactly("c7-m4");
            assertThat(last.hasMore()).isFalse();
            assertThat(last.cursor()).isNull();
            assertThat(asker.channels().allMembers("c7-room").get(10, TimeUnit.SECONDS))
                    .containsExactly("c7-m0", "c7-m1", "c7-m2", "c7-m3", "c7-m4");
            assertThat(asker.channels().members("c7-nobody").get(10, TimeUnit.SECONDS).members()).isEmpty();

            assertThat(asker.channels().count("c7-room").get(10, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(asker.channels().count(List.of("c7-room", "c7-other", "c7-nobody")).get(10, TimeUnit.SECONDS))
                    .containsExactly(Map.entry("c7-room", 5), Map.entry("c7-other", 1), Map.entry("c7-nobody", 0));
            assertThat(asker.channels().joinedOnServer("c7-m1").get(10, TimeUnit.SECONDS))
                    .containsExactly("c7-other", "c7-room");

            final ExecutionException badCursor = catchThrowableOfType(ExecutionException.class,
                    () -> asker.channels().members("c7-room", 2, "not-a-cursor!").get(10, TimeUnit.SECONDS));
            assertThat(badCursor.getCause()).isInstanceOf(InvalidRequestException.class).hasMessageContaining("cursor");
        } finally {
            clients.forEach(RtmClient::close);
        }
    }

    @Test
    void programmingErrors_areRefusedAtTheCall() {
        try (RtmClient c = TestClients.loggedIn(broker, "c8", new Recorder())) {
            assertThatThrownBy(() -> c.channels().join("bad room")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("channel id must be 1 to 64 characters");
            assertThatThrownBy(() -> c.channels().members("room", 0, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("limit must be between 1 and 100, but was 0");
            final List<String> many = new ArrayList<>();
            for (int i = 0; i < 33; i++) {
                many.add("r" + i);
            }
            assertThatThrownBy(() -> c.channels().count(many)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("channels must list 1 to 32 channel ids, but listed 33");
            assertThatThrownBy(() -> ChannelSendOptions.builder().only(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("only must list 1 to 128 uids, but listed 0");
            assertThatThrownBy(() -> ChannelSendOptions.builder().except(List.of("a,b")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("except: uid must be");
            assertThat(ChannelSendOptions.builder().only(List.of("a")).except(List.of("b")).build().only())
                    .as("the last list wins").isNull();
        }
    }

    @Test
    void operationsBeforeLogin_failWithNotLoggedIn() {
        try (RtmClient c = TestClients.builder(broker, "c9").build()) {
            final ExecutionException join = catchThrowableOfType(ExecutionException.class,
                    () -> c.channels().join("c9-room").get(10, TimeUnit.SECONDS));
            assertThat(join.getCause()).isInstanceOf(NotLoggedInException.class);
            final ExecutionException send = catchThrowableOfType(ExecutionException.class,
                    () -> c.channels().send("c9-room", "x").get(10, TimeUnit.SECONDS));
            assertThat(send.getCause()).isInstanceOf(NotLoggedInException.class);
            await().atMost(Duration.ofSeconds(1)).until(() -> c.channels().joined().isEmpty());
        }
    }
}
