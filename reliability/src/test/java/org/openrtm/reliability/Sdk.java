package org.openrtm.reliability;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.openrtm.sdk.ConnectionChangeReason;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.RtmClientBuilder;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** SDK clients set up for fault tests: long timeouts, a large outbox, quick reconnects; arrivals go to a ledger. */
final class Sdk {

    private Sdk() {
    }

    /** A client (not logged in) whose peer messages are recorded in {@code ledger}. */
    static RtmClient client(final String uri, final String uid, final String token, final Ledger ledger) {
        return builder(uri, uid, token, ledger).build();
    }

    /** The builder of {@link #client}: peer and channel messages are recorded in {@code ledger}. */
    static RtmClientBuilder builder(final String uri, final String uid, final String token, final Ledger ledger) {
        return RtmClient.builder()
                .serverUri(uri)
                .uid(uid)
                .token(token)
                .sendTimeout(Duration.ofMinutes(3))
                .requestTimeout(Duration.ofSeconds(30))
                .loginTimeout(Duration.ofSeconds(60))
                .keepAlive(Duration.ofSeconds(10))
                .outboxCapacity(10_000)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .connectionListener(change -> {
                    if (change.reason() == ConnectionChangeReason.INTERRUPTED) {
                        ledger.interrupted();
                    }
                })
                .peerListener(new PeerListener() {
                    @Override
                    public void onMessage(final PeerMessage m) {
                        ledger.received(uid, m.text());
                    }
                })
                .channelListener(new ChannelListener() {
                    @Override
                    public void onMessage(final ChannelMessage m) {
                        ledger.received(uid, m.text());
                    }
                });
    }

    /** Every message of a peer conversation in history, oldest first, as the caller sees it (all pages). */
    static List<String> history(final RtmClient client, final String peer) throws Exception {
        final List<String> payloads = new ArrayList<>();
        String cursor = null;
        do {
            final JsonObject q = new JsonObject();
            q.addProperty("peer", peer);
            q.addProperty("order", "asc");
            q.addProperty("limit", 100);
            if (cursor != null) {
                q.addProperty("cursor", cursor);
            }
            final JsonObject page = JsonParser.parseString(client.request("history.query", q.toString())
                    .get(60, TimeUnit.SECONDS)).getAsJsonObject();
            for (final JsonElement m : page.getAsJsonArray("messages")) {
                if (m.getAsJsonObject().get("from").getAsString().equals(client.uid())) {
                    payloads.add(m.getAsJsonObject().get("payload").getAsString());
                }
            }
            final JsonElement next = page.get("cursor");
            cursor = next == null || next.isJsonNull() ? null : next.getAsString();
        } while (cursor != null);
        return payloads;
    }
}
