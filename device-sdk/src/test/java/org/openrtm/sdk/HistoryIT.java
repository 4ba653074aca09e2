package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.channel.ChannelSendOptions;
import org.openrtm.sdk.history.HistoryMessage;
import org.openrtm.sdk.history.HistoryOrder;
import org.openrtm.sdk.history.HistoryPage;
import org.openrtm.sdk.history.HistoryQuery;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** History: peer and channel conversations, paging both ways, time ranges, access, errors. */
class HistoryIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static <T> T get(final CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static List<String> ids(final List<HistoryMessage> messages) {
        final List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.messageId()));
        return out;
    }

    @Test
    void peerConversation_pagesNewestFirstWithNext_andOldestFirstWithTheIterator() throws Exception {
        try (RtmClient alice = TestClients.loggedIn(broker, "alice1", new Recorder());
             RtmClient bob = TestClients.loggedIn(broker, "bob1", new Recorder())) {
            final List<String> sent = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                sent.add(get(alice.peer().send("bob1", "m" + i)).messageId());
            }
            sent.add(get(bob.peer().send("alice1", "reply")).messageId());
            sent.add(get(alice.peer().send("bob1", new byte[] {(byte) 0xff, 0, 1})).messageId());
            get(alice.peer().send("bob1", "off the record", SendOptions.builder().history(false).build()));

            // newest first (the default), three per page, following next()
            final List<HistoryMessage> newestFirst = new ArrayList<>();
            HistoryPage page = get(alice.history().query(HistoryQuery.peer("bob1").pageSize(3).build()));
            int pages = 1;
            newestFirst.addAll(page.messages());
            while (page.hasMore()) {
                assertThat(page.messages()).hasSize(3);
                page = get(page.next());
                pages++;
                newestFirst.addAll(page.messages());
            }
            final List<String> reversed = new ArrayList<>(sent);
            Collections.reverse(reversed);
            assertThat(ids(newestFirst)).containsExactlyElementsOf(reversed);
            assertThat(pages).isEqualTo(3);
            assertThatThrownBy(page::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("last page");

            final HistoryMessage binary = newestFirst.get(0);
            assertThat(binary.isText()).isFalse();
            assertThat(binary.payload()).containsExactly(0xff, 0, 1);
            assertThat(binary.from()).isEqualTo("alice1");
            assertThat(binary.to()).isEqualTo("bob1");
            assertThat(binary.channel()).isNull();
            final HistoryMessage reply = newestFirst.get(1);
            assertThat(reply.from()).isEqualTo("bob1");
            assertThat(reply.text()).isEqualTo("reply");
            assertThat(reply.isText()).isTrue();
            assertThat(reply.serverTime()).isBeforeOrEqualTo(binary.serverTime());

            // oldest first, through the blocking iterator, by the other side of the conversation
            final Iterator<HistoryMessage> it = bob.history().iterate(HistoryQuery.peer("alice1")
                    .order(HistoryOrder.OLDEST_FIRST).pageSize(2).build(), Duration.ofSeconds(10));
            final List<HistoryMessage> oldestFirst = new ArrayList<>();
            it.forEachRemaining(oldestFirst::add);
            assertThat(ids(oldestFirst)).containsExactlyElementsOf(sent);
            assertThat(oldestFirst.get(0).text()).isEqualTo("m0");

            // all(), capped; and a cursor kept to continue later
            assertThat(ids(get(alice.history().all(HistoryQuery.peer("bob1").order(HistoryOrder.OLDEST_FIRST)
                    .pageSize(4).build(), 5)))).containsExactlyElementsOf(sent.subList(0, 5));
            final HistoryPage first = get(alice.history().query(HistoryQuery.peer("bob1").order(HistoryOrder.OLDEST_FIRST)
                    .pageSize(3).build()));
            final HistoryQuery resumed = HistoryQuery.peer("bob1").order(HistoryOrder.OLDEST_FIRST).pageSize(3).build()
                    .at(first.cursor());
            assertThat(ids(get(alice.history().query(resumed)).messages())).containsExactlyElementsOf(sent.subList(3, 6));
        }
    }

    @Test
    void timeRange_startInclusive_endExclusive() throws Exception {
        try (RtmClient a = TestClients.loggedIn(broker, "a2", new Recorder())) {
            for (int i = 0; i < 6; i++) {
                get(a.peer().send("b2", "t" + i));
            }
            final List<HistoryMessage> all = get(a.history().all(HistoryQuery.peer("b2").order(HistoryOrder.OLDEST_FIRST)
                    .build(), 100));
            assertThat(all).hasSize(6);
            final Instant start = all.get(2).serverTime();
            final Instant end = all.get(4).serverTime();
            final List<String> expected = new ArrayList<>();
            for (final HistoryMessage m : all) {
                if (!m.serverTime().isBefore(start) && m.serverTime().isBefore(end)) {
                    expected.add(m.messageId());
                }
            }
            assertThat(expected).isNotEmpty();
            assertThat(ids(get(a.history().all(HistoryQuery.peer("b2").between(start, end)
                    .order(HistoryOrder.OLDEST_FIRST).build(), 100)))).containsExactlyElementsOf(expected);
            assertThatThrownBy(() -> HistoryQuery.peer("b2").between(end, start))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end must not be before start");
        }
    }

    @Test
    void channelHistory_isForMembers_includingOnesWhoJoinLate_withinEachMessagesAudience() throws Exception {
        try (RtmClient teacher = TestClients.loggedIn(broker, "t3", new Recorder());
             RtmClient s1 = TestClients.loggedIn(broker, "s1-3", new Recorder());
             RtmClient late = TestClients.loggedIn(broker, "late3", new Recorder())) {
            get(teacher.channels().join("class3"));
            get(s1.channels().join("class3"));
            final String hello = get(teacher.channels().send("class3", "hello all")).messageId();
            get(teacher.channels().send("class3", "for s1 only", ChannelSendOptions.builder().only(List.of("s1-3")).build()));
            final String question = get(s1.channels().send("class3", "question")).messageId();

            final HistoryQuery query = HistoryQuery.channel("class3").order(HistoryOrder.OLDEST_FIRST).build();
            final ExecutionException notMember = catchThrowableOfType(ExecutionException.class,
                    () -> late.history().query(query).get(10, TimeUnit.SECONDS));
            assertThat(notMember.getCause()).isInstanceOf(ForbiddenException.class)
                    .hasMessageContaining("you are not a member of channel 'class3'");
            get(late.channels().join("class3"));
            final List<HistoryMessage> replay = get(late.history().all(query, 100));
            assertThat(ids(replay)).containsExactly(hello, question);
            assertThat(replay.get(0).channel()).isEqualTo("class3");
            assertThat(replay.get(0).to()).isNull();
            assertThat(replay.get(0).from()).isEqualTo("t3");
            assertThat(get(s1.history().all(query, 100))).hasSize(3);
        }
    }

    @Test
    void aCursorTheServerDidNotGive_isAnInvalidRequest() throws Exception {
        try (RtmClient a = TestClients.loggedIn(broker, "a4", new Recorder())) {
            final ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> a.history()
                    .query(HistoryQuery.peer("b4").build().at("zz")).get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(InvalidRequestException.class);
            assertThat(((RtmException) e.getCause()).code()).isEqualTo(RtmErrorCode.INVALID);
            assertThatThrownBy(() -> HistoryQuery.peer("b4").pageSize(101)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pageSize must be between 1 and 100, but was 101");
            final Iterator<HistoryMessage> failing = a.history().iterate(HistoryQuery.channel("nowhere").build(),
                    Duration.ofSeconds(10));
            assertThatThrownBy(failing::hasNext).isInstanceOf(ForbiddenException.class);
        }
    }

    @Test
    void channelMessagesSentAtMostOnce_areDeliveredAndRecorded() throws Exception {
        final Recorder viewerSees = new Recorder();
        try (RtmClient pen = TestClients.loggedIn(broker, "pen5", new Recorder());
             RtmClient viewer = TestClients.loggedIn(broker, "viewer5", viewerSees)) {
            get(pen.channels().join("board5"));
            get(viewer.channels().join("board5"));
            final ChannelSendOptions qos0 = ChannelSendOptions.builder().atMostOnce(true).build();
            for (int i = 0; i < 20; i++) {
                final var r = get(pen.channels().send("board5", "p" + i, qos0));
                assertThat(r.recipients()).isEqualTo(-1);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(Recorder.next(viewerSees.channelMessages).text()).isEqualTo("p" + i);
            }
            final List<HistoryMessage> recorded = get(viewer.history().all(HistoryQuery.channel("board5")
                    .order(HistoryOrder.OLDEST_FIRST).build(), 100));
            assertThat(recorded).hasSize(20);
            assertThat(recorded.get(19).text()).isEqualTo("p19");
        }
    }
}
