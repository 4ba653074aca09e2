package org.openrtm.sdk;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.channel.MemberEvent;
import org.openrtm.sdk.presence.OnlineState;
import org.openrtm.sdk.presence.PresenceEvent;
import org.openrtm.sdk.testing.ChildJvm;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RtmClient#close()} is a clean logout even when the program ends right after it: the client runs in a JVM of
 * its own ({@link CloseProbe}) that halts as soon as {@code close()} returns, and another user sees it go
 * {@code offline} (never {@code unreachable}, which would last the server's 30 s grace period) and leave its channel.
 */
class CloseIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    /** Each repetition uses names of its own. */
    private static final AtomicInteger REPETITION = new AtomicInteger();

    /**
     * Repeated: the logout used to be lost now and then (2 to 3 times in 25, more under load), when the socket closed
     * with a message from the server still unread and the kernel answered with a reset; see NoDelaySocketFactory.
     */
    @RepeatedTest(5)
    void programEndingRightAfterClose_isOfflineAtOnce_andHasLeftItsChannels() throws Exception {
        final int n = REPETITION.incrementAndGet();
        final String closer = "closer-" + n;
        final String room = "close-room-" + n;
        final String watcherUid = "close-watcher-" + n;
        final Recorder sees = new Recorder();
        try (RtmClient watcher = TestClients.loggedIn(broker, watcherUid, sees)) {
            watcher.channels().join(room).get(10, TimeUnit.SECONDS);
            watcher.presence().subscribe(List.of(closer)).get(10, TimeUnit.SECONDS);

            final String output = ChildJvm.run(List.of(), CloseProbe.class, List.of("tcp://127.0.0.1:" + broker.port(),
                    closer, broker.token(closer), room));
            assertThat(output).as("probe output").contains("joined\nclosed\n");
            final long exited = System.nanoTime();

            final PresenceEvent online = Recorder.nextMatching(sees.presence, e -> e.uid().equals(closer));
            assertThat(online.state()).isEqualTo(OnlineState.ONLINE);
            final PresenceEvent gone = Recorder.nextMatching(sees.presence, e -> e.uid().equals(closer));
            assertThat(gone.state()).as("the state after close()").isEqualTo(OnlineState.OFFLINE);
            final MemberEvent joined = Recorder.nextMatching(sees.members, e -> e.uid().equals(closer));
            assertThat(joined.since()).as("a join").isNotNull();
            final MemberEvent left = Recorder.nextMatching(sees.members, e -> e.uid().equals(closer));
            assertThat(left.since()).as("a leave").isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - exited)).as("well within the 30 s grace period")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(watcher.presence().query(List.of(closer)).get(10, TimeUnit.SECONDS))
                    .containsEntry(closer, OnlineState.OFFLINE);
            assertThat(watcher.channels().allMembers(room).get(10, TimeUnit.SECONDS))
                    .containsExactly(watcherUid);
        }
    }

    @Test
    void closeInACallback_andTwice_returnsWithoutWaitingForItsTimeout() throws Exception {
        final RtmClient client = TestClients.builder(broker, "close-twice").build();
        client.login().get(10, TimeUnit.SECONDS);
        final long[] took = new long[1];
        client.serverInfo().thenRun(() -> {
            // the callback thread waits for the logout, which must not need the callback thread
            final long start = System.nanoTime();
            client.close();
            took[0] = System.nanoTime() - start;
        }).get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(took[0])).as("close() on the callback thread").isLessThan(Duration.ofSeconds(4));
        final long start = System.nanoTime();
        client.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a second close()").isLessThan(Duration.ofSeconds(4));
        assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
    }
}
