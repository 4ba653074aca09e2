package org.openrtm.extension.peer;

import com.google.gson.JsonObject;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.delivery.Box;
import org.openrtm.extension.delivery.Mailboxes;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.history.HistoryRecorder;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.routing.SenderOptions;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.store.IoErrors;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.protocol.Events;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Peer (1:1) messages: checks a publish to {@code rtm/user/{uid}/inbox/{from}}, stamps it, hands it to the
 * recipient's mailbox, and turns the recipient's acknowledgement into a receipt for the sender. Thread-safe.
 */
public final class PeerService implements Mailboxes.AckListener {

    private static final Logger log = LoggerFactory.getLogger(PeerService.class);

    private final Mailboxes mailboxes;
    private final Dedup dedup;
    private final RtmIds ids;
    private final Clock clock;
    private final HistoryRecorder history;

    /**
     * @param mailboxes where messages and events wait for their recipient
     * @param dedup     the (sender, rtm-cid) records
     * @param ids       for {@code rtm-id}
     * @param clock     for {@code rtm-ts}
     * @param history   where accepted messages are recorded
     */
    public PeerService(final @NotNull Mailboxes mailboxes, final @NotNull Dedup dedup, final @NotNull RtmIds ids,
                       final @NotNull Clock clock, final @NotNull HistoryRecorder history) {
        this.mailboxes = mailboxes;
        this.dedup = dedup;
        this.ids = ids;
        this.clock = clock;
        this.history = history;
    }

    /**
     * Sends a peer message.
     *
     * @param sender the publishing connection
     * @param p      the publish; its topic is a valid inbox topic
     * @return what the sender's PUBACK must say; never fails (store errors become an error status)
     */
    public @NotNull CompletableFuture<SendResult> send(final @NotNull Connection sender, final @NotNull InboundPublish p) {
        final String recipient = p.parsed().id();
        final String from = p.parsed().sub();
        if (!sender.uid().equals(from)) {
            return CompletableFuture.completedFuture(SendResult.refused(RtmStatus.FORBIDDEN,
                    "sender level of " + p.topic() + " must be your own uid " + Ids.show(sender.uid()) + ", but was "
                            + Ids.show(from)));
        }
        final SenderOptions flags;
        try {
            flags = SenderOptions.of(p, Integer.MAX_VALUE);
            if (flags.only() != null || flags.except() != null) {
                throw new IllegalArgumentException(Props.ONLY + " and " + Props.EXCEPT + " apply to channel messages only");
            }
        } catch (final IllegalArgumentException e) {
            return CompletableFuture.completedFuture(SendResult.refused(RtmStatus.INVALID, e.getMessage()));
        }
        final CompletableFuture<SendResult> mine = new CompletableFuture<>();
        if (flags.cid() != null && dedup.enabled()) {
            final CompletableFuture<SendResult> first = dedup.claim(sender.uid(), flags.cid(), mine);
            if (first != null) {
                log.debug("{} repeated rtm-cid {}: answered with the first result", sender.uid(), flags.cid());
                return first;
            }
        }
        final String rtmId = ids.next();
        final long now = clock.millis();
        final RtmMessage message = new RtmMessage(p.topic(), p.payload(), Math.min(p.qos(), 1), false,
                SenderOptions.stamped(p.properties(), rtmId, now), p.expirySeconds(), p.correlation(), p.responseTopic(),
                p.contentType(), p.utf8());
        // accepted (delivered or cached) unless the store fails: then the outcome cannot be unreachable
        final boolean cacheable = flags.cache() && (p.expirySeconds() == null || p.expirySeconds() > 0)
                && mailboxes.caches(Box.INBOX);
        final long expiresAt = p.expirySeconds() == null ? 0 : now + p.expirySeconds() * 1000;
        final WriteBatch extra = new WriteBatch();
        if (flags.cid() != null && dedup.enabled() && cacheable) {
            dedup.record(extra, sender.uid(), flags.cid(), rtmId, recipient, null);
        }
        final boolean record = flags.history() && history.enabled();
        if (record && cacheable) {
            // journaled in the same append as the mailbox entry and the de-duplication record: after a crash all
            // three are there or none (a retry with the same rtm-cid then is either answered or recorded once)
            history.addPeer(extra, sender.uid(), recipient, rtmId, now, p.payload());
        }
        // the mailbox names the sender only of a message whose sender asked for a receipt (rtm-receipt: true)
        mailboxes.send(recipient, Box.INBOX, message, rtmId, flags.receipt() ? sender.uid() : "", cacheable, expiresAt,
                        extra)
                .whenComplete((outcome, error) -> {
                    if (error != null) {
                        log.warn("Peer message from {} to {} could not be stored: {}", sender.uid(), recipient,
                                error.toString());
                        if (flags.cid() != null && dedup.enabled()) {
                            dedup.release(sender.uid(), flags.cid());
                        }
                        mine.complete(SendResult.refused(RtmStatus.INTERNAL,
                                "the server could not store the message: " + IoErrors.describe(error)));
                        return;
                    }
                    if (outcome == Mailboxes.Outcome.BUSY) {
                        if (flags.cid() != null && dedup.enabled()) {
                            dedup.release(sender.uid(), flags.cid());
                        }
                        mine.complete(SendResult.refused(RtmStatus.BUSY, Ids.show(recipient) + " has "
                                + mailboxes.limits(Box.INBOX).maxWaitingOnline() + " messages waiting for its client "
                                + "(offline.max-waiting-online); nothing was stored, retry later"));
                        return;
                    }
                    final SendResult result = result(outcome, rtmId);
                    if (cacheable) {
                        mine.complete(result);
                        return;
                    }
                    // the outcome is already decided; the de-duplication record only protects later retries, and a
                    // delivered message's history record goes with it in one append
                    final WriteBatch after = new WriteBatch();
                    if (flags.cid() != null && dedup.enabled()) {
                        dedup.record(after, sender.uid(), flags.cid(), rtmId, recipient, result.status());
                    }
                    final boolean recorded = record && outcome == Mailboxes.Outcome.DELIVERED
                            && history.addPeer(after, sender.uid(), recipient, rtmId, now, p.payload());
                    if (after.isEmpty()) {
                        mine.complete(result);
                        return;
                    }
                    final CompletableFuture<Void> written = dedup.persist(after);
                    if (!recorded) {
                        mine.complete(result);
                        return;
                    }
                    written.whenComplete((v, e) -> {
                        if (e != null) {
                            // delivery does not depend on history: the sender still learns the delivery outcome
                            log.warn("Peer message {} from {} could not be recorded in history: {}", rtmId, sender.uid(),
                                    e.toString());
                        }
                        mine.complete(result);
                    });
                });
        return mine;
    }

    private static SendResult result(final Mailboxes.Outcome outcome, final String rtmId) {
        switch (outcome) {
            case DELIVERED:
                return SendResult.ok(RtmStatus.DELIVERED, rtmId, null);
            case CACHED:
                return SendResult.ok(RtmStatus.CACHED, rtmId, "peer is offline; the message is in its offline cache");
            default:
                return SendResult.ok(RtmStatus.UNREACHABLE, rtmId, "peer is offline and the message was not cached");
        }
    }

    // -------------------------------------------------------------------------------------------------------- receipts

    @Override
    public void acknowledged(final @NotNull String uid, final @NotNull Box box, final @NotNull String rtmId,
                             final @NotNull String sender) {
        if (box != Box.INBOX || sender.isEmpty()) {
            return;
        }
        sendEvent(sender, receiptJson(rtmId, uid));
    }

    /**
     * The receipt event, as Gson would write it ({@code {"type":"receipt","id":...,"to":...,"status":"received"}}),
     * without building a JSON tree per receipt: one is sent for every acknowledged peer message.
     */
    static byte @NotNull [] receiptJson(final @NotNull String rtmId, final @NotNull String to) {
        final StringBuilder b = new StringBuilder(64 + rtmId.length() + to.length());
        b.append("{\"").append(Events.TYPE).append("\":\"").append(Events.TYPE_RECEIPT).append("\",\"")
                .append(Events.ID).append("\":");
        quote(b, rtmId);
        b.append(",\"").append(Events.TO).append("\":");
        quote(b, to);
        b.append(",\"").append(Events.STATUS).append("\":\"").append(Events.STATUS_RECEIVED).append("\"}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code s} as a JSON string (ids are plain ASCII, but anything is escaped correctly). */
    private static void quote(final StringBuilder b, final String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /**
     * Puts an event into a user's event mailbox: handed over at once if the user is subscribed to its event topic,
     * otherwise kept until the user subscribes (and its client acknowledges it).
     */
    public void sendEvent(final @NotNull String uid, final @NotNull JsonObject event) {
        sendEvent(uid, event.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void sendEvent(final String uid, final byte[] json) {
        final String eventId = ids.next();
        final RtmMessage message = RtmMessage.json(RtmTopics.event(uid), json,
                List.of(Map.entry(Props.ID, eventId), Map.entry(Props.TS, Long.toString(clock.millis()))));
        mailboxes.send(uid, Box.EVENT, message, eventId, "", true, 0, null, true)
                .whenComplete((o, e) -> {
                    if (e != null) {
                        log.warn("Event for {} could not be stored: {}", uid, e.toString());
                    }
                });
    }
}
