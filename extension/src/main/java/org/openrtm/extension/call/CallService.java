package org.openrtm.extension.call;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.delivery.Acknowledgements;
import org.openrtm.extension.delivery.Monitors;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.delivery.RtmMessage;
import org.openrtm.extension.routing.InboundPublish;
import org.openrtm.extension.routing.SendResult;
import org.openrtm.extension.routing.SenderOptions;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.Calls;
import org.openrtm.protocol.Events;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.RtmTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Call invitations: the state machine behind {@code rtm/user/{callee}/call/{caller}} (invite, cancel) and
 * {@code rtm/user/{caller}/call/{callee}} (accept, refuse).
 *
 * <h2>States</h2>
 * An invite <em>waits</em> until the callee is connected and subscribed to its call topic, then it is <em>handed</em>
 * to the callee's session; once the callee's client acknowledges it (PUBACK) it is {@code received}; then the callee
 * accepts or refuses, or the caller cancels. Timers end a call that gets stuck: {@code failed} with
 * {@code peer_offline} (never handed within the offline timeout), {@code no_response} (handed, not acknowledged within
 * the acknowledgement timeout) or {@code expired} (received, not answered within the answer timeout). Every state
 * change is told to both sides on their event topic (through their event mailboxes, so a side that is briefly offline
 * still learns it), and every action is forwarded, stamped, to the other side's call topic.
 *
 * <h2>Refusals</h2>
 * A malformed message is {@code invalid}, a content or response over the limit {@code too_large}, a forged sender
 * level {@code forbidden}; an action that does not fit the call's state (unknown id, an answer after a cancel, a second
 * answer, a cancel of another user's invitation, an id reused while its call is active) is {@code conflict}. A
 * refused action changes nothing.
 *
 * <h2>Threads</h2>
 * Calls live in memory (a broker restart ends every call in progress). Everything about one call runs on the lane of
 * its caller; timers run on the scheduler and re-enter the lane. Thread-safe.
 */
public final class CallService implements Acknowledgements, SubscriptionListener, Sessions.Listener {

    private static final Logger log = LoggerFactory.getLogger(CallService.class);
    private static final int MAX_CHANNEL_CHARS = 64;

    /**
     * Timers and limits.
     *
     * @param offline         how long an invite waits to be handed to the callee
     * @param ack             how long the callee's client may take to acknowledge it
     * @param answer          how long after {@code received} the callee may take to answer
     * @param maxContentBytes largest {@code content} / {@code response}, in UTF-8 bytes
     */
    public record CallOptions(@NotNull Duration offline, @NotNull Duration ack, @NotNull Duration answer,
                              int maxContentBytes) {
    }

    private enum Phase { WAITING, HANDED, RECEIVED }

    private record Key(String caller, String id) {
    }

    private static final class Call {
        final Key key;
        final String callee;
        final RtmMessage invite;
        final String inviteId;
        Phase phase = Phase.WAITING;
        ScheduledFuture<?> timer;
        boolean handing;
        boolean retry;
        boolean over;

        Call(final Key key, final String callee, final RtmMessage invite, final String inviteId) {
            this.key = key;
            this.callee = callee;
            this.invite = invite;
            this.inviteId = inviteId;
        }
    }

    /** A call message, parsed and checked. */
    private record Action(String id, String action) {
    }

    private final Outbound outbound;
    private final Sessions sessions;
    private final ScheduledExecutorService scheduler;
    private final Lanes lanes;
    private final Clock clock;
    private final RtmIds ids;
    private final CallOptions options;
    private final BiConsumer<String, JsonObject> events;
    private final @Nullable Monitors monitors;
    private final Map<Key, Call> calls = new ConcurrentHashMap<>();
    /** callee → calls waiting for it to be online and subscribed. */
    private final Map<String, Set<Key>> waiting = new ConcurrentHashMap<>();
    /** rtm-id of a handed invite → its call, until acknowledged. */
    private final Map<String, Key> handed = new ConcurrentHashMap<>();

    /**
     * @param outbound  how messages reach clients
     * @param sessions  who is connected
     * @param scheduler runs the timers
     * @param lanes     the lanes calls run on (keyed by the caller's uid)
     * @param clock     for {@code rtm-ts}
     * @param ids       for {@code rtm-id}
     * @param options   timers and limits
     * @param events    puts an event into a user's event mailbox
     * @param monitors  services and admins that watch private topics, or {@code null}
     */
    public CallService(
            final @NotNull Outbound outbound,
            final @NotNull Sessions sessions,
            final @NotNull ScheduledExecutorService scheduler,
            final @NotNull Lanes lanes,
            final @NotNull Clock clock,
            final @NotNull RtmIds ids,
            final @NotNull CallOptions options,
            final @NotNull BiConsumer<String, JsonObject> events,
            final @Nullable Monitors monitors) {
        this.outbound = outbound;
        this.sessions = sessions;
        this.scheduler = scheduler;
        this.lanes = lanes;
        this.clock = clock;
        this.ids = ids;
        this.options = options;
        this.events = events;
        this.monitors = monitors;
    }

    /** Number of calls in progress (for metrics and tests). */
    public int activeCalls() {
        return calls.size();
    }

    // ------------------------------------------------------------------------------------------------ publishes

    /**
     * Handles a publish to {@code rtm/user/{other}/call/{self}}.
     *
     * @return what the PUBACK carries; never fails
     */
    public @NotNull CompletableFuture<SendResult> publish(final @NotNull Connection sender, final @NotNull InboundPublish p) {
        final String other = p.parsed().id();
        final String from = p.parsed().sub();
        if (!sender.uid().equals(from)) {
            return done(SendResult.refused(RtmStatus.FORBIDDEN, "sender level of " + p.topic() + " must be your own uid "
                    + Ids.show(sender.uid()) + ", but was " + Ids.show(from)));
        }
        if (other.equals(from)) {
            return done(SendResult.refused(RtmStatus.INVALID, "you cannot call yourself"));
        }
        final Action a;
        try {
            a = parse(p.payload());
        } catch (final Refusal r) {
            return done(SendResult.refused(r.status, r.getMessage()));
        }
        final CompletableFuture<SendResult> result = new CompletableFuture<>();
        final String caller = Calls.INVITE.equals(a.action()) || Calls.CANCEL.equals(a.action()) ? from : other;
        lanes.of(caller).execute(() -> {
            try {
                switch (a.action()) {
                    case Calls.INVITE:
                        invite(p, from, other, a.id(), result);
                        break;
                    case Calls.CANCEL:
                        cancel(p, from, other, a.id(), result);
                        break;
                    default:
                        answer(p, other, from, a, result);
                        break;
                }
            } catch (final RuntimeException e) {
                log.error("Call action of {} failed: {}", from, e.toString());
                log.debug("Call failure", e);
                result.complete(SendResult.refused(RtmStatus.INTERNAL, "the server failed to handle the call message"));
            }
        });
        return result;
    }

    private static final class Refusal extends Exception {
        final RtmStatus status;

        Refusal(final RtmStatus status, final String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private Action parse(final byte[] payload) throws Refusal {
        final JsonObject o;
        try {
            final JsonElement e = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new Refusal(RtmStatus.INVALID, "a call message must be a JSON object with id and action");
            }
            o = e.getAsJsonObject();
        } catch (final JsonParseException | IllegalStateException e) {
            throw new Refusal(RtmStatus.INVALID, "a call message must be a JSON object with id and action; it is not "
                    + "valid JSON");
        }
        final String id = text(o, Calls.ID);
        final String idError = Ids.describe("invitation id", id, Ids.MAX_ID_LENGTH);
        if (idError != null) {
            throw new Refusal(RtmStatus.INVALID, idError);
        }
        final String action = text(o, Calls.ACTION);
        if (!Calls.INVITE.equals(action) && !Calls.CANCEL.equals(action) && !Calls.ACCEPT.equals(action)
                && !Calls.REFUSE.equals(action)) {
            throw new Refusal(RtmStatus.INVALID, "action must be invite, cancel, accept or refuse, but was "
                    + Ids.show(action));
        }
        for (final String field : new String[] {Calls.CONTENT, Calls.RESPONSE}) {
            final String v = text(o, field);
            if (v != null && v.getBytes(StandardCharsets.UTF_8).length > options.maxContentBytes()) {
                throw new Refusal(RtmStatus.TOO_LARGE, field + " is " + v.getBytes(StandardCharsets.UTF_8).length
                        + " bytes; the limit is " + options.maxContentBytes() + " bytes (call.max-content-bytes)");
            }
        }
        final String channel = text(o, Calls.CHANNEL);
        if (channel != null && channel.length() > MAX_CHANNEL_CHARS) {
            throw new Refusal(RtmStatus.INVALID, "channel must be at most " + MAX_CHANNEL_CHARS + " characters, but was "
                    + channel.length() + " characters");
        }
        return new Action(id, action);
    }

    private static @Nullable String text(final JsonObject o, final String field) throws Refusal {
        final JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Refusal(RtmStatus.INVALID, field + " must be a string, but was " + Ids.show(e.toString()));
        }
        return e.getAsString();
    }

    /** On the caller's lane. */
    private void invite(final InboundPublish p, final String caller, final String callee, final String id,
                        final CompletableFuture<SendResult> result) {
        final Key key = new Key(caller, id);
        final Call existing = calls.get(key);
        if (existing != null) {
            result.complete(SendResult.refused(RtmStatus.CONFLICT, "your invitation " + Ids.show(id) + " to "
                    + Ids.show(existing.callee) + " is still active; use another id for a new call"));
            return;
        }
        final String rtmId = ids.next();
        final RtmMessage message = forwarded(p, rtmId);
        final Call call = new Call(key, callee, message, rtmId);
        calls.put(key, call);
        waiting.computeIfAbsent(callee, c -> ConcurrentHashMap.newKeySet()).add(key);
        arm(call, options.offline(), Calls.PEER_OFFLINE);
        log.debug("Call {} from {} to {}: invited", id, caller, callee);
        hand(call).whenComplete((ok, e) -> result.complete(Boolean.TRUE.equals(ok)
                ? SendResult.ok(RtmStatus.DELIVERED, rtmId, null)
                : SendResult.ok(RtmStatus.CACHED, rtmId, "the callee is not online and subscribed to its call topic; "
                + "the invitation waits up to " + options.offline().toMillis() / 1000.0 + " s (call.offline-timeout)")));
    }

    /** On the caller's lane. */
    private void cancel(final InboundPublish p, final String caller, final String callee, final String id,
                        final CompletableFuture<SendResult> result) {
        final Call call = calls.get(new Key(caller, id));
        if (call == null || !call.callee.equals(callee)) {
            result.complete(SendResult.refused(RtmStatus.CONFLICT, "you have no active invitation " + Ids.show(id)
                    + " to " + Ids.show(callee) + " (it was never sent, or it is over)"));
            return;
        }
        final boolean seen = call.phase != Phase.WAITING || call.handing;
        finish(call, Calls.CANCELED, null);
        final String rtmId = ids.next();
        if (!seen) {
            result.complete(SendResult.ok(RtmStatus.DELIVERED, rtmId, null));
            return;
        }
        forward(callee, forwarded(p, rtmId)).whenComplete((ok, e) -> result.complete(SendResult.ok(RtmStatus.DELIVERED,
                rtmId, null)));
    }

    /** On the caller's lane. */
    private void answer(final InboundPublish p, final String caller, final String callee, final Action a,
                        final CompletableFuture<SendResult> result) {
        final Call call = calls.get(new Key(caller, a.id()));
        if (call == null || !call.callee.equals(callee)) {
            result.complete(SendResult.refused(RtmStatus.CONFLICT, "there is no active invitation " + Ids.show(a.id())
                    + " from " + Ids.show(caller) + " to you (it was never sent, or it was canceled or answered, or it "
                    + "failed)"));
            return;
        }
        if (call.phase == Phase.WAITING && !call.handing) {
            result.complete(SendResult.refused(RtmStatus.CONFLICT, "invitation " + Ids.show(a.id())
                    + " has not been handed to you yet"));
            return;
        }
        if (call.phase != Phase.RECEIVED) {
            // the answer overtook the acknowledgement of the invite: the client has it
            received(call);
        }
        finish(call, Calls.ACCEPT.equals(a.action()) ? Calls.ACCEPTED : Calls.REFUSED, null);
        final String rtmId = ids.next();
        forward(caller, forwarded(p, rtmId)).whenComplete((ok, e) -> result.complete(SendResult.ok(RtmStatus.DELIVERED,
                rtmId, Boolean.TRUE.equals(ok) ? null : "the caller is not subscribed to its call topic; it learns the "
                        + "answer on its event topic")));
    }

    private RtmMessage forwarded(final InboundPublish p, final String rtmId) {
        return new RtmMessage(p.topic(), p.payload(), 1, false, SenderOptions.stamped(p.properties(), rtmId, clock.millis()),
                null, p.correlation(), p.responseTopic(), p.contentType(), p.utf8());
    }

    private CompletableFuture<Boolean> forward(final String to, final RtmMessage m) {
        if (monitors != null) {
            monitors.copy(to, m);
        }
        if (!sessions.isConnected(to)) {
            return CompletableFuture.completedFuture(false);
        }
        return outbound.toClient(to, m).exceptionally(e -> {
            log.debug("Call message to {} not handed: {}", to, e.toString());
            return false;
        });
    }

    // ------------------------------------------------------------------------------------------------ hand-over

    /** Tries to hand a waiting invite to the callee. On the caller's lane. Completes with whether it was handed. */
    private CompletableFuture<Boolean> hand(final Call call) {
        if (call.over || call.phase != Phase.WAITING) {
            return CompletableFuture.completedFuture(false);
        }
        if (call.handing) {
            call.retry = true;
            return CompletableFuture.completedFuture(false);
        }
        if (!sessions.isConnected(call.callee)) {
            return CompletableFuture.completedFuture(false);
        }
        call.handing = true;
        // known before the hand-over: the acknowledgement may overtake the hand-over's completion
        handed.put(call.inviteId, call.key);
        if (monitors != null) {
            monitors.copy(call.callee, call.invite);
        }
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        outbound.toClient(call.callee, call.invite).whenComplete((ok, e) -> lanes.of(call.key.caller()).execute(() -> {
            call.handing = false;
            final boolean given = e == null && Boolean.TRUE.equals(ok);
            if (call.over) {
                done.complete(given);
                return;
            }
            if (given) {
                if (call.phase == Phase.WAITING) {
                    call.phase = Phase.HANDED;
                    removeWaiting(call);
                    arm(call, options.ack(), Calls.NO_RESPONSE);
                    log.debug("Call {} from {} handed to {}", call.key.id(), call.key.caller(), call.callee);
                }
                done.complete(true);
                return;
            }
            handed.remove(call.inviteId, call.key);
            done.complete(false);
            if (call.retry) {
                call.retry = false;
                hand(call);
            }
        }));
        return done;
    }

    private void handWaiting(final String callee, final @Nullable String filter) {
        final Set<Key> keys = waiting.get(callee);
        if (keys == null) {
            return;
        }
        for (final Key key : keys) {
            if (filter != null && !RtmTopics.matches(filter, RtmTopics.call(callee, key.caller()))) {
                continue;
            }
            lanes.of(key.caller()).execute(() -> {
                final Call call = calls.get(key);
                if (call != null) {
                    hand(call);
                }
            });
        }
    }

    @Override
    public void granted(final @NotNull Connection connection, final @NotNull String filter, final int qos) {
        if (!waiting.isEmpty() && !filter.startsWith("$share/")) {
            handWaiting(connection.uid(), filter);
        }
    }

    @Override
    public void removed(final @NotNull Connection connection, final @NotNull String filter) {
        // a waiting invite is handed only if the hand-over finds a subscription; nothing to track
    }

    @Override
    public void connected(final @NotNull Connection connection) {
        if (connection.sessionPresent() && !waiting.isEmpty()) {
            // a resumed session keeps its subscriptions: the call topic may be covered already
            handWaiting(connection.uid(), null);
        }
    }

    @Override
    public void acknowledged(final @NotNull Connection connection, final @NotNull String rtmId, final boolean success) {
        final Key key = handed.get(rtmId);
        if (key == null) {
            return;
        }
        lanes.of(key.caller()).execute(() -> {
            final Call call = calls.get(key);
            if (call == null || call.over || !call.inviteId.equals(rtmId) || !call.callee.equals(connection.uid())
                    || call.phase == Phase.RECEIVED) {
                return;
            }
            handed.remove(rtmId, key);
            if (!success) {
                log.debug("{} refused invitation {} of {} with an error PUBACK", call.callee, key.id(), key.caller());
                finish(call, Calls.FAILED, Calls.NO_RESPONSE);
                return;
            }
            received(call);
        });
    }

    /** The callee's client has the invite. On the caller's lane. */
    private void received(final Call call) {
        call.phase = Phase.RECEIVED;
        removeWaiting(call);
        handed.remove(call.inviteId, call.key);
        arm(call, options.answer(), Calls.EXPIRED);
        tell(call, Calls.RECEIVED, null);
    }

    // ------------------------------------------------------------------------------------------------ endings

    /** Starts the call's one timer (replacing the previous one): when it fires, the call fails with {@code reason}. */
    private void arm(final Call call, final Duration after, final String reason) {
        if (call.timer != null) {
            call.timer.cancel(false);
        }
        final ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = scheduler.schedule(() -> lanes.of(call.key.caller()).execute(() -> {
            if (call.timer == self[0] && !call.over) {
                log.debug("Call {} from {} to {} failed: {}", call.key.id(), call.key.caller(), call.callee, reason);
                finish(call, Calls.FAILED, reason);
            }
        }), after.toMillis(), TimeUnit.MILLISECONDS);
        call.timer = self[0];
    }

    /** Ends a call in a final state and tells both sides. On the caller's lane. */
    private void finish(final Call call, final String state, final @Nullable String reason) {
        call.over = true;
        if (call.timer != null) {
            call.timer.cancel(false);
            call.timer = null;
        }
        calls.remove(call.key, call);
        removeWaiting(call);
        handed.remove(call.inviteId, call.key);
        tell(call, state, reason);
    }

    private void removeWaiting(final Call call) {
        waiting.computeIfPresent(call.callee, (c, set) -> {
            set.remove(call.key);
            return set.isEmpty() ? null : set;
        });
    }

    private void tell(final Call call, final String state, final @Nullable String reason) {
        final JsonObject e = new JsonObject();
        e.addProperty(Events.TYPE, Events.TYPE_CALL);
        e.addProperty(Calls.ID, call.key.id());
        e.addProperty(Calls.CALLER, call.key.caller());
        e.addProperty(Calls.CALLEE, call.callee);
        e.addProperty(Calls.STATE, state);
        if (reason != null) {
            e.addProperty(Calls.REASON, reason);
        }
        events.accept(call.key.caller(), e);
        events.accept(call.callee, e.deepCopy());
    }

    private static CompletableFuture<SendResult> done(final SendResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
