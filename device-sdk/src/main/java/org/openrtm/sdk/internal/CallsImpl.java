package org.openrtm.sdk.internal;

import com.google.gson.JsonObject;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Calls;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.RtmTopics;
import org.openrtm.sdk.ConflictException;
import org.openrtm.sdk.DeliveryStatus;
import org.openrtm.sdk.RtmTimeoutException;
import org.openrtm.sdk.call.CallFailureReason;
import org.openrtm.sdk.call.CallListener;
import org.openrtm.sdk.call.InvitationOptions;
import org.openrtm.sdk.call.LocalInvitation;
import org.openrtm.sdk.call.RemoteInvitation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link org.openrtm.sdk.call.Calls}: follows the server's call state machine from the PUBACKs of call actions, the
 * actions forwarded on this user's call topic, and the {@code call} events on its event topic. The open invitations
 * are engine-confined; each invitation's state fields are volatile, written on the engine only.
 */
final class CallsImpl implements org.openrtm.sdk.call.Calls {

    private static final Logger LOG = Logger.getLogger(CallsImpl.class.getName());
    /**
     * How long an {@code accepted}/{@code refused} event waits for the forwarded answer, which carries the response
     * text (the server tells the event first, then forwards the answer; both normally arrive within milliseconds).
     */
    static final Duration ANSWER_GRACE = Duration.ofSeconds(1);

    private final ClientCore core;
    final CopyOnWriteArrayList<CallListener> listeners = new CopyOnWriteArrayList<>();
    // ---- engine-confined
    private final Map<String, Local> locals = new HashMap<>();
    private final Map<String, Remote> remotes = new HashMap<>();
    private final RecentIds callIds;

    CallsImpl(final ClientCore core) {
        this.core = core;
        this.callIds = new RecentIds(core.config.duplicateMemory);
    }

    private static String remoteKey(final String caller, final String id) {
        return caller + "/" + id;
    }

    // -------------------------------------------------------------------------------------------- public API

    @Override
    public @NotNull LocalInvitation invite(final @NotNull String callee) {
        return invite(callee, InvitationOptions.defaults());
    }

    @Override
    public @NotNull LocalInvitation invite(final @NotNull String callee, final @NotNull InvitationOptions options) {
        final String error = Ids.uidError(Objects.requireNonNull(callee, "callee"));
        if (error != null) {
            throw new IllegalArgumentException("callee: " + error);
        }
        Objects.requireNonNull(options, "options");
        final String id = options.id() != null ? options.id() : core.nextClientMessageId();
        final Local inv = new Local(id, callee, options.content(), options.channel());
        core.onEngine(() -> start(inv, options.timeout()));
        return inv;
    }

    @Override
    public void addListener(final @NotNull CallListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(final @NotNull CallListener listener) {
        listeners.remove(listener);
    }

    private void tell(final Consumer<CallListener> call) {
        core.callback("call listener", () -> {
            for (final CallListener l : listeners) {
                try {
                    call.accept(l);
                } catch (final RuntimeException e) {
                    LOG.log(Level.WARNING, "call listener threw " + e, e);
                }
            }
        });
    }

    private static Throwable unwrap(final Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String json(final String id, final String action, final @Nullable String field,
                               final @Nullable String value, final @Nullable String channel) {
        final JsonObject o = new JsonObject();
        o.addProperty(Calls.ID, id);
        o.addProperty(Calls.ACTION, action);
        if (field != null && value != null) {
            o.addProperty(field, value);
        }
        if (channel != null) {
            o.addProperty(Calls.CHANNEL, channel);
        }
        return o.toString();
    }

    // -------------------------------------------------------------------------------------------- local (engine)

    private void start(final Local inv, final Duration timeout) {
        if (locals.containsKey(inv.id)) {
            final ConflictException e = new ConflictException("invitation id " + Ids.show(inv.id)
                    + " is in use by an open invitation of this client; use another id");
            // the state first: whoever sees the future fail must see the state too
            conclude(inv, LocalInvitation.State.FAILED, null, CallFailureReason.NOT_SENT);
            core.fail(inv.sent, e);
            return;
        }
        locals.put(inv.id, inv);
        inv.guard = core.scheduleOnEngine(() -> timedOut(inv, timeout), timeout);
        core.sendCall(RtmTopics.call(inv.callee(), core.config.uid),
                json(inv.id, Calls.INVITE, Calls.CONTENT, inv.content, inv.channel))
                .whenComplete((r, e) -> core.onEngine(() -> sent(inv, r, e)));
    }

    private void sent(final Local inv, final @Nullable Object result, final @Nullable Throwable error) {
        if (error != null) {
            final Throwable e = unwrap(error);
            // the state first: whoever sees the future complete must see the state too
            if (!(e instanceof RtmTimeoutException && ((RtmTimeoutException) e).wasSent())) {
                conclude(inv, LocalInvitation.State.FAILED, null, CallFailureReason.NOT_SENT);
            }
            // sent, outcome unknown: the server's events or the invitation's own timeout end it
            core.fail(inv.sent, e);
            return;
        }
        final CallAck ack = (CallAck) result;
        if (inv.state == LocalInvitation.State.SENDING) {
            inv.state = ack.status == DeliveryStatus.CACHED ? LocalInvitation.State.WAITING : LocalInvitation.State.SENT;
        }
        core.complete(inv.sent, ack.status == DeliveryStatus.CACHED ? DeliveryStatus.CACHED : DeliveryStatus.DELIVERED);
    }

    private void timedOut(final Local inv, final Duration timeout) {
        if (inv.state.isOver()) {
            return;
        }
        LOG.log(Level.FINE, "{0}: invitation {1} to {2}: no outcome within {3}; canceling it",
                new Object[] {core.config.uid, inv.id, inv.callee(), timeout});
        conclude(inv, LocalInvitation.State.FAILED, null, CallFailureReason.TIMEOUT);
        // end it on the server too, as far as it still exists there
        core.sendCall(RtmTopics.call(inv.callee(), core.config.uid), json(inv.id, Calls.CANCEL, null, null, null));
    }

    private void cancel(final Local inv, final CompletableFuture<Void> f) {
        if (inv.state.isOver()) {
            core.fail(f, new ConflictException("invitation " + Ids.show(inv.id) + " to " + Ids.show(inv.callee())
                    + " is already over (" + inv.state + ")"));
            return;
        }
        core.sendCall(RtmTopics.call(inv.callee(), core.config.uid), json(inv.id, Calls.CANCEL, null, null, null))
                .whenComplete((r, e) -> core.onEngine(() -> {
                    if (e != null) {
                        core.fail(f, unwrap(e));
                        return;
                    }
                    conclude(inv, LocalInvitation.State.CANCELED, null, null);
                    core.complete(f, null);
                }));
    }

    private void conclude(final Local inv, final LocalInvitation.State state, final @Nullable String response,
                          final @Nullable CallFailureReason reason) {
        if (inv.state.isOver()) {
            return;
        }
        inv.response = response;
        inv.failure = reason;
        inv.state = state;
        cancel(inv.guard);
        cancel(inv.answerTimer);
        locals.remove(inv.id, inv);
        switch (state) {
            case ACCEPTED:
                tell(l -> l.onLocalInvitationAccepted(inv, response));
                break;
            case REFUSED:
                tell(l -> l.onLocalInvitationRefused(inv, response));
                break;
            case CANCELED:
                tell(l -> l.onLocalInvitationCanceled(inv));
                break;
            default:
                tell(l -> l.onLocalInvitationFailed(inv, reason != null ? reason : CallFailureReason.UNKNOWN));
                break;
        }
        core.complete(inv.outcome, state);
    }

    private static void cancel(final @Nullable ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // -------------------------------------------------------------------------------------------- remote (engine)

    private void answer(final Remote inv, final boolean accept, final @Nullable String response,
                        final CompletableFuture<Void> f) {
        if (inv.state.isOver() || inv.answering) {
            core.fail(f, new ConflictException("invitation " + Ids.show(inv.id) + " from " + Ids.show(inv.caller()) + " is "
                    + (inv.answering ? "being answered already" : "over (" + inv.state + ")")));
            return;
        }
        inv.answering = true;
        core.sendCall(RtmTopics.call(inv.caller(), core.config.uid),
                json(inv.id, accept ? Calls.ACCEPT : Calls.REFUSE, Calls.RESPONSE, response, null))
                .whenComplete((r, e) -> core.onEngine(() -> {
                    inv.answering = false;
                    if (e != null) {
                        core.fail(f, unwrap(e));
                        return;
                    }
                    inv.response = response;
                    concludeRemote(inv, accept ? RemoteInvitation.State.ACCEPTED : RemoteInvitation.State.REFUSED, null);
                    core.complete(f, null);
                }));
    }

    private void concludeRemote(final Remote inv, final RemoteInvitation.State state,
                                final @Nullable CallFailureReason reason) {
        if (inv.state.isOver()) {
            return;
        }
        inv.failure = reason;
        inv.state = state;
        cancel(inv.guard);
        remotes.remove(remoteKey(inv.caller(), inv.id), inv);
        switch (state) {
            case ACCEPTED:
                tell(l -> l.onRemoteInvitationAccepted(inv));
                break;
            case REFUSED:
                tell(l -> l.onRemoteInvitationRefused(inv));
                break;
            case CANCELED:
                tell(l -> l.onRemoteInvitationCanceled(inv));
                break;
            default:
                tell(l -> l.onRemoteInvitationFailed(inv, reason != null ? reason : CallFailureReason.UNKNOWN));
                break;
        }
    }

    // -------------------------------------------------------------------------------------------- incoming (engine)

    /** A call action forwarded to this user ({@code rtm/user/{self}/call/{from}}). Acknowledged after the listeners. */
    void onCallMessage(final Link l, final MqttMessage m, final String from, final Map<String, String> props) {
        final String rtmId = props.get(Props.ID);
        if (rtmId != null && !callIds.add(rtmId)) {
            core.acknowledge(l, m);
            return;
        }
        final JsonObject body = Json.object(m.getPayload());
        final String id = body == null ? null : Json.string(body, Calls.ID);
        final String action = body == null ? null : Json.string(body, Calls.ACTION);
        if (id == null || action == null) {
            LOG.log(Level.FINE, "{0}: call message from {1} not understood", new Object[] {core.config.uid, from});
            core.acknowledge(l, m);
            return;
        }
        switch (action) {
            case Calls.INVITE:
                final String key = remoteKey(from, id);
                if (!remotes.containsKey(key)) {
                    final Remote inv = new Remote(id, from, Json.string(body, Calls.CONTENT),
                            Json.string(body, Calls.CHANNEL));
                    remotes.put(key, inv);
                    inv.guard = core.scheduleOnEngine(() -> concludeRemote(inv, RemoteInvitation.State.FAILED,
                            CallFailureReason.TIMEOUT), InvitationOptions.DEFAULT_TIMEOUT);
                    tell(c -> c.onRemoteInvitationReceived(inv));
                }
                break;
            case Calls.CANCEL:
                final Remote canceled = remotes.get(remoteKey(from, id));
                if (canceled != null) {
                    concludeRemote(canceled, RemoteInvitation.State.CANCELED, null);
                }
                break;
            case Calls.ACCEPT:
            case Calls.REFUSE:
                final Local inv = locals.get(id);
                if (inv != null && inv.callee().equals(from)) {
                    conclude(inv, Calls.ACCEPT.equals(action) ? LocalInvitation.State.ACCEPTED
                            : LocalInvitation.State.REFUSED, Json.string(body, Calls.RESPONSE), null);
                }
                break;
            default:
                break;
        }
        // acknowledged once the listeners it caused have run (the caller learns "received" only then)
        core.callbackThenAck("call listener", l, m, () -> { });
    }

    /** A {@code call} event on this user's event topic. */
    void onCallEvent(final Link l, final MqttMessage m, final JsonObject body) {
        final String id = Json.string(body, Calls.ID);
        final String caller = Json.string(body, Calls.CALLER);
        final String callee = Json.string(body, Calls.CALLEE);
        final String state = Json.string(body, Calls.STATE);
        final String reason = Json.string(body, Calls.REASON);
        if (id != null && state != null && core.config.uid.equals(caller)) {
            final Local inv = locals.get(id);
            if (inv != null && inv.callee().equals(callee)) {
                onLocalEvent(inv, state, reason);
            }
        } else if (id != null && state != null && caller != null && core.config.uid.equals(callee)) {
            final Remote inv = remotes.get(remoteKey(caller, id));
            if (inv != null) {
                onRemoteEvent(inv, state, reason);
            }
        }
        core.callbackThenAck("call listener", l, m, () -> { });
    }

    private void onLocalEvent(final Local inv, final String state, final @Nullable String reason) {
        switch (state) {
            case Calls.RECEIVED:
                if (!inv.state.isOver() && inv.state != LocalInvitation.State.RECEIVED) {
                    inv.state = LocalInvitation.State.RECEIVED;
                    tell(l -> l.onLocalInvitationReceivedByPeer(inv));
                }
                break;
            case Calls.ACCEPTED:
            case Calls.REFUSED:
                // the forwarded answer carries the response text; it normally follows at once
                if (inv.answerTimer == null) {
                    final LocalInvitation.State end = Calls.ACCEPTED.equals(state) ? LocalInvitation.State.ACCEPTED
                            : LocalInvitation.State.REFUSED;
                    inv.answerTimer = core.scheduleOnEngine(() -> conclude(inv, end, null, null), ANSWER_GRACE);
                }
                break;
            case Calls.CANCELED:
                conclude(inv, LocalInvitation.State.CANCELED, null, null);
                break;
            case Calls.FAILED:
                conclude(inv, LocalInvitation.State.FAILED, null, CallFailureReason.fromWire(reason));
                break;
            default:
                break;
        }
    }

    private void onRemoteEvent(final Remote inv, final String state, final @Nullable String reason) {
        switch (state) {
            case Calls.CANCELED:
                concludeRemote(inv, RemoteInvitation.State.CANCELED, null);
                break;
            case Calls.FAILED:
                concludeRemote(inv, RemoteInvitation.State.FAILED, CallFailureReason.fromWire(reason));
                break;
            case Calls.ACCEPTED:
            case Calls.REFUSED:
                if (!inv.answering) {
                    // answered by this user from another session, or the PUBACK was lost with a connection
                    concludeRemote(inv, Calls.ACCEPTED.equals(state) ? RemoteInvitation.State.ACCEPTED
                            : RemoteInvitation.State.REFUSED, null);
                }
                break;
            default:
                break;
        }
    }

    /** The session ended (logout, abort, failed login): every open invitation fails. Engine thread. */
    void clear(final String why) {
        if (!locals.isEmpty() || !remotes.isEmpty()) {
            LOG.log(Level.FINE, "{0}: open invitations end: {1}", new Object[] {core.config.uid, why});
        }
        for (final Local inv : new ArrayList<>(locals.values())) {
            conclude(inv, LocalInvitation.State.FAILED, null, CallFailureReason.SESSION_ENDED);
        }
        for (final Remote inv : new ArrayList<>(remotes.values())) {
            concludeRemote(inv, RemoteInvitation.State.FAILED, CallFailureReason.SESSION_ENDED);
        }
    }

    // -------------------------------------------------------------------------------------------- the invitations

    /**
     * What a sent and a received invitation share: the id, the other party, the offer, and the outcome fields (written
     * on the engine only, read from any thread).
     *
     * @param <S> the invitation's state type
     */
    private abstract static class Invitation<S extends Enum<S>> {
        final String id;
        /** The callee of a sent invitation, the caller of a received one. */
        final String peer;
        final String content;
        final String channel;
        volatile S state;
        volatile String response;
        volatile CallFailureReason failure;
        ScheduledFuture<?> guard;

        Invitation(final String id, final String peer, final @Nullable String content, final @Nullable String channel,
                   final S initial) {
            this.id = id;
            this.peer = peer;
            this.content = content;
            this.channel = channel;
            this.state = initial;
        }

        public @NotNull String id() {
            return id;
        }

        public @Nullable String content() {
            return content;
        }

        public @Nullable String channel() {
            return channel;
        }

        public @NotNull S state() {
            return state;
        }

        public @Nullable String response() {
            return response;
        }

        public @Nullable CallFailureReason failureReason() {
            return failure;
        }

        /** {@code kind{id direction peer, state[ failure]}}. */
        final String describe(final String kind, final String direction) {
            return kind + "{" + id + " " + direction + " " + peer + ", " + state + (failure != null ? " " + failure : "")
                    + '}';
        }
    }

    /** A sent invitation. */
    private final class Local extends Invitation<LocalInvitation.State> implements LocalInvitation {
        final CompletableFuture<DeliveryStatus> sent = new CompletableFuture<>();
        final CompletableFuture<State> outcome = new CompletableFuture<>();
        ScheduledFuture<?> answerTimer;

        Local(final String id, final String callee, final @Nullable String content, final @Nullable String channel) {
            super(id, callee, content, channel, State.SENDING);
        }

        @Override
        public @NotNull String callee() {
            return peer;
        }

        @Override
        public @NotNull CompletableFuture<DeliveryStatus> sent() {
            return DefaultRtmClient.view(sent.thenApply(s -> (Object) s), s -> (DeliveryStatus) s);
        }

        @Override
        public @NotNull CompletableFuture<State> outcome() {
            return outcome.thenApply(s -> s);
        }

        @Override
        public @NotNull CompletableFuture<Void> cancel() {
            final CompletableFuture<Void> f = new CompletableFuture<>();
            core.onEngine(() -> CallsImpl.this.cancel(this, f));
            return f;
        }

        @Override
        public String toString() {
            return describe("LocalInvitation", "to");
        }
    }

    /** A received invitation. */
    private final class Remote extends Invitation<RemoteInvitation.State> implements RemoteInvitation {
        boolean answering;

        Remote(final String id, final String caller, final @Nullable String content, final @Nullable String channel) {
            super(id, caller, content, channel, State.RECEIVED);
        }

        @Override
        public @NotNull String caller() {
            return peer;
        }

        @Override
        public @NotNull CompletableFuture<Void> accept(final @Nullable String response) {
            final CompletableFuture<Void> f = new CompletableFuture<>();
            core.onEngine(() -> answer(this, true, response, f));
            return f;
        }

        @Override
        public @NotNull CompletableFuture<Void> refuse(final @Nullable String response) {
            final CompletableFuture<Void> f = new CompletableFuture<>();
            core.onEngine(() -> answer(this, false, response, f));
            return f;
        }

        @Override
        public String toString() {
            return describe("RemoteInvitation", "from");
        }
    }
}
