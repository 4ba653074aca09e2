package org.openrtm.reliability;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.presence.OnlineState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of the broker while peers exchange messages and some recipients are offline, at several random
 * moments, each followed by a restart on the same data folder. Every message the server accepted (PUBACK
 * {@code delivered} or {@code cached}) must arrive exactly once and in per-sender order; history holds each once;
 * attributes written before the crashes are unchanged; everybody is online again afterwards.
 */
class CrashIT {

    private static final Logger log = LoggerFactory.getLogger(CrashIT.class);
    /** How many times the broker is killed; {@code -Dcrash.kills=N} raises it for a longer hunt. */
    private static final int KILLS = Integer.getInteger("crash.kills", 4);

    /** Kept when the test fails: the broker's logs of every start are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private BrokerProcess broker;
    private final List<RtmClient> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        clients.forEach(RtmClient::close);
        if (broker != null) {
            broker.kill();
        }
    }

    @Test
    void killMinus9_atRandomMoments_losesNoAcceptedMessage_andDuplicatesNone() throws Exception {
        final Path config = dir.resolve("rtm.properties");
        // rate limits and the offline cache's size are not what this test is about
        Files.writeString(config, "limits.rate-per-second = 100000\nlimits.rate-burst = 100000\n"
                + "offline.max-messages = 100000\n");
        broker = new BrokerProcess(dir.resolve("data"), BrokerProcess.freePort(), List.of("--config", config.toString()))
                .start();
        final Ledger ledger = new Ledger();
        final List<String> senderIds = List.of("s0", "s1", "s2");
        final List<String> onlineIds = List.of("r0", "r1");
        final List<String> offlineIds = List.of("r2", "r3");
        final List<RtmClient> senders = new ArrayList<>();
        for (final String uid : senderIds) {
            senders.add(login(uid, ledger));
        }
        for (final String uid : onlineIds) {
            login(uid, ledger);
        }
        final Map<String, RtmClient> offline = new HashMap<>();
        for (final String uid : offlineIds) {
            final RtmClient c = login(uid, ledger);
            c.logout().get(30, TimeUnit.SECONDS);
            offline.put(uid, c);
        }
        final Map<String, String> revisions = new HashMap<>();
        for (final RtmClient s : senders) {
            final String result = s.request("attr.set", "{\"scope\":\"user\",\"id\":\"" + s.uid()
                    + "\",\"attrs\":{\"model\":\"m-" + s.uid() + "\",\"fw\":\"1.0.7\"}}").get(30, TimeUnit.SECONDS);
            revisions.put(s.uid(), result);
        }

        final List<String> recipients = new ArrayList<>(onlineIds);
        recipients.addAll(offlineIds);
        final long started = System.nanoTime();
        final Random random = new Random();
        final List<Integer> killedAt = new ArrayList<>();
        try (PeerTraffic traffic = new PeerTraffic(ledger).start(senders, recipients, 50)) {
            for (int k = 0; k < KILLS; k++) {
                final int target = ledger.sentCount() + 40 + random.nextInt(160);
                await().atMost(Duration.ofSeconds(60)).until(() -> ledger.sentCount() >= target);
                killedAt.add(ledger.sentCount());
                log.info("kill {} after {} messages sent", k + 1, ledger.sentCount());
                broker.kill();
                broker.start();
            }
            final int last = ledger.sentCount() + 100;
            await().atMost(Duration.ofSeconds(60)).until(() -> ledger.sentCount() >= last);
        }
        await("every send has an outcome").atMost(Duration.ofMinutes(3)).until(ledger::settled);
        for (final RtmClient c : offline.values()) {
            c.login().get(60, TimeUnit.SECONDS);
        }
        await("every accepted message arrived").atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            final List<String> missing = ledger.report().missing();
            assertThat(missing.size()).as("accepted messages missing, first ones %s; kills after %s messages sent; "
                    + "broker logs in %s", missing.subList(0, Math.min(20, missing.size())), killedAt, dir)
                    .isZero();
        });
        // late duplicates would come within moments
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        final Ledger.Report report = ledger.report();
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        log.info("crash test: {} kills (after {} messages sent), {} s, {} interruptions seen by clients: {}", KILLS,
                killedAt, seconds, ledger.interruptions(), report);

        assertThat(broker.starts()).isEqualTo(KILLS + 1);
        assertThat(report.missing()).as("accepted but never arrived").isEmpty();
        assertThat(report.duplicates()).as("arrived twice").isEmpty();
        assertThat(report.outOfOrder()).as("out of per-sender order").isEmpty();
        assertThat(report.unexpected()).isEmpty();
        assertThat(report.accepted()).as("accepted of " + report.sent()).isEqualTo(report.sent());

        // history: each accepted message once, in order
        for (final RtmClient s : senders) {
            for (final String r : recipients) {
                final List<String> h = Sdk.history(s, r);
                final List<String> sentToR = h.stream().filter(t -> t.startsWith("p:" + r + "|" + s.uid() + "|"))
                        .collect(Collectors.toList());
                assertThat(sentToR).as("history %s -> %s", s.uid(), r).doesNotHaveDuplicates();
                final List<Long> seqs = sentToR.stream().map(t -> Long.parseLong(t.substring(t.lastIndexOf('|') + 1)))
                        .collect(Collectors.toList());
                assertThat(seqs).as("history order %s -> %s", s.uid(), r).isSorted();
                assertThat(sentToR.size()).as("history %s -> %s", s.uid(), r)
                        .isEqualTo(report.sent() == 0 ? 0 : countSent(ledger, s.uid(), r));
            }
        }
        // attributes written before the crashes are unchanged, revisions included
        for (final RtmClient s : senders) {
            final JsonObject attrs = JsonParser.parseString(s.request("attr.get", "{\"scope\":\"user\",\"id\":\""
                    + s.uid() + "\"}").get(30, TimeUnit.SECONDS)).getAsJsonObject();
            assertThat(attrs.getAsJsonObject("model").get("value").getAsString()).isEqualTo("m-" + s.uid());
            assertThat(attrs.getAsJsonObject("fw").get("value").getAsString()).isEqualTo("1.0.7");
            final JsonObject revs = JsonParser.parseString(revisions.get(s.uid())).getAsJsonObject();
            assertThat(attrs.getAsJsonObject("model").get("rev").getAsLong()).isEqualTo(revs.get("model").getAsLong());
        }
        // presence: every logged-in client is online again
        final List<String> everyone = new ArrayList<>(senderIds);
        everyone.addAll(onlineIds);
        everyone.addAll(offlineIds);
        await("presence online again").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(senders.get(0).presence().query(everyone).get(30, TimeUnit.SECONDS))
                        .allSatisfy((uid, state) -> assertThat(state).as(uid).isEqualTo(OnlineState.ONLINE)));
    }

    private static long countSent(final Ledger ledger, final String from, final String to) {
        return ledger.sentTexts().stream().filter(t -> t.startsWith("p:" + to + "|" + from + "|")).count();
    }

    private RtmClient login(final String uid, final Ledger ledger) throws Exception {
        final RtmClient c = Sdk.client(broker.uri(), uid, broker.token(uid), ledger);
        clients.add(c);
        c.login().get(60, TimeUnit.SECONDS);
        return c;
    }
}
