package org.openrtm.extension;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.ManagedExtensionExecutorService;
import com.hivemq.extension.sdk.api.services.Services;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.extension.access.AccessPolicy;
import org.openrtm.extension.access.RtmSubscriptionAuthorizer;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.access.SubscriptionRepair;
import org.openrtm.extension.auth.RtmAuthenticator;
import org.openrtm.extension.channel.ChannelService;
import org.openrtm.extension.auth.Secrets;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.extension.config.RtmConfig;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.attribute.AttributeService;
import org.openrtm.extension.call.CallService;
import org.openrtm.extension.delivery.Acknowledgements;
import org.openrtm.extension.delivery.Box;
import org.openrtm.extension.delivery.HiveMqOutbound;
import org.openrtm.extension.delivery.Mailboxes;
import org.openrtm.extension.delivery.Monitors;
import org.openrtm.extension.metrics.RtmMetrics;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.flood.FloodGuard;
import org.openrtm.extension.flood.RefusalLog;
import org.openrtm.extension.flood.FloodPolicy;
import org.openrtm.extension.history.HistoryRecorder;
import org.openrtm.extension.history.HistoryService;
import org.openrtm.extension.peer.Dedup;
import org.openrtm.extension.peer.PeerService;
import org.openrtm.extension.presence.PresenceService;
import org.openrtm.extension.routing.PublishHandler;
import org.openrtm.extension.routing.PublishRouter;
import org.openrtm.extension.routing.RtmClientInitializer;
import org.openrtm.extension.rpc.RpcService;
import org.openrtm.extension.rpc.ServerInfo;
import org.openrtm.extension.session.ConnackTracker;
import org.openrtm.extension.session.LifecycleListener;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Keyspace;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.extension.store.WriteBatch;
import org.openrtm.extension.util.Lanes;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.TopicFamily;
import org.openrtm.protocol.ViaProof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The assembled extension: every service, constructed and connected, and registered with HiveMQ. Built by
 * {@link RtmExtensionMain} on start and closed on stop. Not thread-safe itself (start and close run on HiveMQ's
 * extension lifecycle thread); the services it holds are.
 */
public final class RtmRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtmRuntime.class);

    /** Serial lanes shared by the per-user services, so one user's presence and channel changes stay in order. */
    private static final int LANES = 64;

    /** How long a publish may wait for its service's decision before HiveMQ answers with an error. */
    private static final Duration DECISION_TIMEOUT = Duration.ofSeconds(10);

    private final Store store;
    private final Sessions sessions;
    private final Mailboxes mailboxes;
    private final Dedup dedup;
    private final Tokens tokens;
    private final PresenceService presence;
    private final ChannelService channels;
    private final RtmMetrics metrics;
    private final PeerService peer;
    private final RpcService rpc;
    private final RtmConfig config;
    private final Outbound outbound;
    private final AttributeService attributes;
    private final @Nullable HistoryService history;
    private final CallService calls;
    private FloodGuard flood;
    private ScheduledExecutorService scheduler;
    private ExecutorService laneExecutor;

    private RtmRuntime(final Store store, final Sessions sessions,
                       final Mailboxes mailboxes, final Dedup dedup, final Tokens tokens, final PresenceService presence,
                       final ChannelService channels, final AttributeService attributes,
                       final @Nullable HistoryService history, final CallService calls, final RtmMetrics metrics,
                       final PeerService peer, final RpcService rpc, final RtmConfig config, final Outbound outbound) {
        this.store = store;
        this.attributes = attributes;
        this.history = history;
        this.calls = calls;
        this.sessions = sessions;
        this.mailboxes = mailboxes;
        this.dedup = dedup;
        this.tokens = tokens;
        this.presence = presence;
        this.channels = channels;
        this.metrics = metrics;
        this.peer = peer;
        this.rpc = rpc;
        this.config = config;
        this.outbound = outbound;
    }

    /**
     * Builds the extension and registers it with HiveMQ.
     *
     * @param config  the validated configuration
     * @param dataDir the folder for the store and (if no environment variable is set) the token secret
     * @param env     the environment (for {@value Secrets#ENV})
     * @param version the extension's version, reported by {@code server.info}
     */
    public static @NotNull RtmRuntime start(
            final @NotNull RtmConfig config,
            final @NotNull Path dataDir,
            final @NotNull Map<String, String> env,
            final @NotNull String version) throws IOException {
        final Clock clock = Clock.systemUTC();
        final ManagedExtensionExecutorService executor = Services.extensionExecutorService();
        final byte[] secret = Secrets.load(env, dataDir);
        final Tokens tokens = new Tokens(secret, clock, config.get(Settings.AUTH_CLOCK_SKEW));

        final StoreOptions storeOptions = new StoreOptions(StoreOptions.Sync.of(config.get(Settings.STORE_SYNC)),
                config.get(Settings.STORE_SYNC_INTERVAL), config.get(Settings.STORE_CHECKPOINT_INTERVAL),
                config.get(Settings.STORE_CHECKPOINT_ENTRIES));
        final boolean historyOn = config.get(Settings.HISTORY_ENABLED);
        // history is a keyspace of the main store (written into MapDB as blocks per conversation and time bucket), so
        // that a message's history record, its mailbox entry and its de-duplication record are one journal append:
        // after a crash all of them are there or none
        final List<String> keyspaces = new ArrayList<>(
                List.of(Mailboxes.KEYSPACE, Dedup.KEYSPACE, PresenceService.KEYSPACE, AttributeService.KEYSPACE));
        if (historyOn) {
            keyspaces.add(HistoryService.KEYSPACE);
        }
        final Store store = Store.open(dataDir.resolve("store"), storeOptions, keyspaces,
                historyOn ? Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()) : Map.of(), Store.DIRECT);
        try {
            if (historyOn) {
                migrateHistory(dataDir, storeOptions, store);
            }
        } catch (final IOException | RuntimeException e) {
            store.close();
            throw e;
        }

        final RtmMetrics metrics = new RtmMetrics(Services.metricRegistry());
        final HiveMqOutbound outbound = new HiveMqOutbound(Services.publishService(), Services.retainedMessageStore(),
                Services.subscriptionStore());
        final Sessions sessions = new Sessions(config.get(Settings.RATE_PER_SECOND), config.get(Settings.RATE_BURST));
        final Map<Box, Mailboxes.BoxLimits> boxLimits = new EnumMap<>(Box.class);
        final int window = config.get(Settings.OFFLINE_WINDOW);
        boxLimits.put(Box.INBOX, new Mailboxes.BoxLimits(config.get(Settings.OFFLINE_MAX_MESSAGES),
                config.get(Settings.OFFLINE_TTL).toMillis(), window,
                Math.max(config.get(Settings.OFFLINE_MAX_MESSAGES), config.get(Settings.OFFLINE_MAX_WAITING_ONLINE))));
        boxLimits.put(Box.EVENT, new Mailboxes.BoxLimits(config.get(Settings.OFFLINE_MAX_EVENTS),
                config.get(Settings.OFFLINE_TTL).toMillis(), window));
        // the mailbox lanes run several tasks per peer message: on a work-stealing pool of their own rather than on
        // HiveMQ's managed executor, a ScheduledThreadPoolExecutor whose delay queue (a locked heap) every task passes
        final ExecutorService laneExecutor = laneExecutor();
        final Mailboxes mailboxes = new Mailboxes(store, outbound, laneExecutor, clock, boxLimits,
                outbound::subscriptionsOf);
        final Dedup dedup = new Dedup(store, config.get(Settings.DEDUP_WINDOW), clock,
                (recipient, rtmId) -> mailboxes.outcomeOf(recipient, rtmId)
                        .thenApply(o -> o == Mailboxes.Outcome.CACHED ? RtmStatus.CACHED : RtmStatus.DELIVERED));
        final RtmIds ids = RtmIds.generator();
        final Lanes lanes = new Lanes(executor, LANES);
        // timers only hand work to lanes; a thread of our own, so that stopping cancels pending grace periods at once
        // (HiveMQ's shutdown would otherwise wait for delayed tasks on its managed executor)
        final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "rtm-timers");
            t.setDaemon(true);
            return t;
        });
        // channels and history need each other: history asks about membership, channels record into history
        final ChannelService[] channelRef = new ChannelService[1];
        final HistoryService history = !historyOn ? null : new HistoryService(store, executor, clock,
                new HistoryService.HistoryOptions(true, config.get(Settings.HISTORY_RETENTION),
                        config.get(Settings.HISTORY_MAX_PER_CONVERSATION)),
                (cid, uid) -> channelRef[0].isMember(cid, uid));
        final HistoryRecorder recorder = history == null ? HistoryRecorder.NONE : history;
        final PeerService peer = new PeerService(mailboxes, dedup, ids, clock, recorder);
        mailboxes.setAckListener(peer);
        sessions.addListener(mailboxes);
        final Monitors monitors = new Monitors(outbound, outbound::subscriptionsOf);
        mailboxes.setMonitors(monitors);
        sessions.addListener(monitors);

        final PresenceService presence = new PresenceService(store, outbound, timers, lanes, clock,
                config.get(Settings.PRESENCE_GRACE), config.get(Settings.PRESENCE_MAX_SUBSCRIPTIONS),
                outbound::subscriptionsOf);
        sessions.addListener(presence);
        final ChannelService channels = new ChannelService(outbound, timers, lanes, clock, ids,
                new ChannelService.ChannelLimits(config.get(Settings.CHANNEL_MAX_JOINED), config.get(Settings.CHANNEL_MAX_LIST),
                        config.get(Settings.CHANNEL_COUNT_INTERVAL), config.get(Settings.PRESENCE_GRACE)),
                outbound::subscriptionsOf, recorder, dedup);
        channelRef[0] = channels;
        sessions.addListener(channels);
        presence.addListener(channels);

        final AttributeService attributes = new AttributeService(store, outbound, executor, new Lanes(executor, LANES),
                clock, ids, new AttributeService.AttrLimits(config.get(Settings.ATTR_MAX_KEY_LENGTH),
                        config.get(Settings.ATTR_MAX_VALUE_BYTES), config.get(Settings.ATTR_MAX_KEYS),
                        config.get(Settings.ATTR_MAX_CHANNEL_BYTES), config.get(Settings.ATTR_CLEAR_USER_ON_LOGOUT)),
                channels::isMember);
        presence.addListener(attributes);

        final CallService calls = new CallService(outbound, sessions, timers, new Lanes(executor, LANES), clock, ids,
                new CallService.CallOptions(config.get(Settings.CALL_OFFLINE_TIMEOUT), config.get(Settings.CALL_ACK_TIMEOUT),
                        config.get(Settings.CALL_ANSWER_TIMEOUT), config.get(Settings.CALL_MAX_CONTENT_BYTES)),
                peer::sendEvent, monitors);
        sessions.addListener(calls);

        final RpcService rpc = new RpcService(outbound, metrics);
        rpc.register(Rpc.SERVER_INFO, new ServerInfo(version, config, clock));
        rpc.register(Rpc.PRESENCE_QUERY, presence.queryHandler());
        rpc.register(Rpc.CHANNEL_MEMBERS, channels.membersHandler());
        rpc.register(Rpc.CHANNEL_COUNT, channels.countHandler());
        rpc.register(Rpc.CHANNEL_JOINED, channels.joinedHandler());
        rpc.register(Rpc.ATTR_GET, attributes.getHandler());
        rpc.register(Rpc.ATTR_SET, attributes.setHandler());
        rpc.register(Rpc.ATTR_DELETE, attributes.deleteHandler());
        rpc.register(Rpc.HISTORY_QUERY, history != null ? history.queryHandler() : HistoryService.disabledHandler());

        final AccessPolicy policy = new AccessPolicy(EnumSet.of(TopicFamily.INBOX, TopicFamily.EVENT,
                TopicFamily.PRESENCE, TopicFamily.CHANNEL_MSG, TopicFamily.CHANNEL_MEMBER, TopicFamily.CHANNEL_COUNT,
                TopicFamily.BROADCAST, TopicFamily.USER_ATTR, TopicFamily.CHANNEL_ATTR, TopicFamily.CALL),
                "allow".equals(config.get(Settings.NON_RTM_TOPICS)));
        final Map<TopicFamily, PublishHandler> handlers = new EnumMap<>(TopicFamily.class);
        handlers.put(TopicFamily.INBOX, peer::send);
        handlers.put(TopicFamily.CHANNEL_MSG, channels::send);
        handlers.put(TopicFamily.BROADCAST, channels::broadcast);
        handlers.put(TopicFamily.RPC, rpc::handle);
        handlers.put(TopicFamily.USER_ATTR, attributes::publish);
        handlers.put(TopicFamily.CHANNEL_ATTR, attributes::publish);
        handlers.put(TopicFamily.CALL, calls::publish);
        final FloodGuard flood = new FloodGuard(new FloodPolicy(config.get(Settings.FLOOD_REFUSALS),
                config.get(Settings.FLOOD_WINDOW), config.get(Settings.FLOOD_BAN)), System::nanoTime,
                RtmRuntime::disconnectFlooder, new RefusalLog(config.get(Settings.LOG_REFUSALS_PER_SECOND), System::nanoTime));
        final PublishRouter.Rules rules = new PublishRouter.Rules(handlers, policy, config.get(Settings.MAX_PAYLOAD_BYTES),
                config.get(Settings.RATE_PER_SECOND), config.get(Settings.RATE_BURST), DECISION_TIMEOUT, metrics, flood);
        final List<SubscriptionListener> subscriptionListeners = List.of(mailboxes, monitors, presence, channels, calls);
        final Map<TopicFamily, Acknowledgements> acknowledgements = new EnumMap<>(TopicFamily.class);
        acknowledgements.put(TopicFamily.INBOX, mailboxes);
        acknowledgements.put(TopicFamily.EVENT, mailboxes);
        acknowledgements.put(TopicFamily.CALL, calls);

        final RtmAuthenticator authenticator = new RtmAuthenticator(tokens, ViaProof.key(secret), sessions, flood,
                config.get(Settings.CLIENT_QUEUE));
        final RtmSubscriptionAuthorizer authorizer = new RtmSubscriptionAuthorizer(sessions, policy);
        authorizer.addGuard(presence);
        authorizer.addGuard(channels);
        final ConnackTracker connackTracker = new ConnackTracker(sessions);
        final LifecycleListener lifecycle = new LifecycleListener(sessions);
        // HiveMQ CE can grant a subscription without adding it (SubscriptionRepair): every SUBACK is checked
        final SubscriptionRepair repair = new SubscriptionRepair(outbound, timers);
        final RtmClientInitializer initializer = new RtmClientInitializer(sessions, rules, acknowledgements,
                subscriptionListeners, repair);

        Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
        Services.interceptorRegistry().setConnackOutboundInterceptorProvider(in -> connackTracker);
        Services.eventRegistry().setClientLifecycleEventListener(in -> lifecycle);
        Services.initializerRegistry().setClientInitializer(initializer);

        metrics.gauge("users.connected", "openrtm_users_connected",
                "Users with a live connection (MQTT, or CoAP through the gateway)", sessions::connectedCount);
        metrics.gauge("users.active", "openrtm_users_online", "Users online or unreachable (presence)",
                presence::activeUsers);
        metrics.gauge("channels.active", "openrtm_channels_active", "Channels with members", channels::activeChannels);
        metrics.gauge("offline.stored", "openrtm_messages_cached",
                "Messages kept in offline caches and event mailboxes", mailboxes::storedMessages);
        metrics.gauge("dedup.remembered", "openrtm_dedup_remembered", "(sender, rtm-cid) pairs remembered",
                dedup::size);
        metrics.gauge("flood.banned", "openrtm_flood_banned", "Users banned for flooding right now",
                flood::bannedCount);
        metrics.counter("flood.disconnects", "openrtm_flood_disconnects_total", "Connections closed for flooding",
                flood::disconnects);
        metrics.counter("subscriptions.repaired", "openrtm_subscriptions_repaired_total",
                "Granted subscriptions the broker had not added, added again", repair::repaired);
        presence.start();
        channels.start();
        attributes.start();
        final RtmRuntime runtime = new RtmRuntime(store, sessions, mailboxes, dedup, tokens, presence,
                channels, attributes, history, calls, metrics, peer, rpc, config, outbound);
        runtime.scheduler = timers;
        runtime.laneExecutor = laneExecutor;
        runtime.flood = flood;
        timers.scheduleAtFixedRate(() -> executor.execute(runtime::upkeep), 30, 30, TimeUnit.SECONDS);
        if (history != null) {
            final long sweep = config.get(Settings.HISTORY_SWEEP_INTERVAL).toMillis();
            timers.scheduleAtFixedRate(history::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        }
        log.info("OpenRTM {} started: store {}, {} cached messages, token secret from {}", version, store.directory(),
                mailboxes.storedMessages(), Secrets.describeSource(env, dataDir));
        return runtime;
    }

    private void upkeep() {
        try {
            flood.sweep();
            mailboxes.sweep();
            dedup.sweep();
            channels.sweep();
            attributes.sweep();
        } catch (final RuntimeException e) {
            log.error("Periodic clean-up failed: {}", e.toString());
            log.debug("Clean-up failure", e);
        }
    }

    /** Ends a flooder's connection with DISCONNECT 0x96 (Message rate too high); its will is sent as usual. */
    private static void disconnectFlooder(final String uid, final String reason) {
        Services.clientService().disconnectClient(uid, false, DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH, reason)
                .whenComplete((done, e) -> {
                    if (e != null) {
                        log.warn("Disconnecting flooder {} failed: {}", uid, e.toString());
                        log.debug("Flood disconnect failure", e);
                    }
                });
    }

    /** The token service (for minting tokens in-process, e.g. by the broker's CLI and tests). */
    public @NotNull Tokens tokens() {
        return tokens;
    }

    /** The connection registry. */
    public @NotNull Sessions sessions() {
        return sessions;
    }

    /** Presence (for metrics and tests). */
    public @NotNull PresenceService presence() {
        return presence;
    }

    /** Channels (for metrics and tests). */
    public @NotNull ChannelService channels() {
        return channels;
    }

    /** The metrics. */
    public @NotNull RtmMetrics metrics() {
        return metrics;
    }

    /** Peer messages (for the REST API). */
    public @NotNull PeerService peer() {
        return peer;
    }

    /** The RPC methods (the REST API calls them directly). */
    public @NotNull RpcService rpc() {
        return rpc;
    }

    /** How the server publishes (for the REST API's broadcasts). */
    public @NotNull Outbound outbound() {
        return outbound;
    }

    /** The configuration in force. */
    public @NotNull RtmConfig config() {
        return config;
    }

    /**
     * Disconnects a user's current connection with DISCONNECT 0x98 (Administrative action) and a reason string.
     *
     * @return whether the user was connected
     */
    public @NotNull CompletableFuture<Boolean> kick(final @NotNull String uid, final @NotNull String reason) {
        return Services.clientService().disconnectClient(uid, true,
                DisconnectReasonCode.ADMINISTRATIVE_ACTION, reason);
    }

    /** Attributes (for metrics and tests). */
    public @NotNull AttributeService attributes() {
        return attributes;
    }

    /** History, or {@code null} when it is turned off (for metrics, tests and benchmarks). */
    public @Nullable HistoryService history() {
        return history;
    }

    /** Call invitations (for metrics and tests). */
    public @NotNull CallService calls() {
        return calls;
    }

    /** The mailboxes (for metrics and tests). */
    public @NotNull Mailboxes mailboxes() {
        return mailboxes;
    }

    /**
     * The mailbox lanes' threads ({@code rtm-lane-N}, one per core, at least two): a FIFO work-stealing pool, whose
     * hand-off costs no lock.
     */
    private static ExecutorService laneExecutor() {
        final ForkJoinPool.ForkJoinWorkerThreadFactory factory = pool -> {
            final ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("rtm-lane-" + t.getPoolIndex());
            t.setDaemon(true);
            // like HiveMQ's extension threads: the extension's class loader, not the system one
            t.setContextClassLoader(RtmRuntime.class.getClassLoader());
            return t;
        };
        return new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()), factory,
                (thread, e) -> log.error("Mailbox lane task failed on {}: {}", thread.getName(), e.toString(), e), true);
    }

    /**
     * Versions before 0.1 kept history in a store of its own ({@code <data>/history}): copies its records into the main
     * store's history keyspace once, then renames the folder to {@code history.migrated} (kept, not deleted).
     */
    static void migrateHistory(final Path dataDir, final StoreOptions options, final Store store)
            throws IOException {
        final Path old = dataDir.resolve("history");
        if (!Files.isDirectory(old)) {
            return;
        }
        long copied = 0;
        try (Store from = Store.open(old, options, List.of(HistoryService.KEYSPACE),
                Map.of(HistoryService.KEYSPACE, HistoryService.checkpointWriter()), Store.DIRECT)) {
            final Keyspace src = from.keyspace(HistoryService.KEYSPACE);
            final Keyspace dst = store.keyspace(HistoryService.KEYSPACE);
            byte[] next = new byte[0];
            while (true) {
                final List<Store.Entry> chunk = from.scan(src, next, null, false, 2000);
                if (chunk.isEmpty()) {
                    break;
                }
                final WriteBatch batch = new WriteBatch();
                for (final Store.Entry e : chunk) {
                    batch.put(dst, e.key(), e.value());
                }
                store.write(batch).join();
                copied += chunk.size();
                final byte[] last = chunk.get(chunk.size() - 1).key();
                next = Arrays.copyOf(last, last.length + 1); // the smallest key after the last one
            }
        } catch (final CompletionException e) {
            throw new IOException("history migration from " + old + " failed: " + e.getCause(), e.getCause());
        }
        final Path moved = dataDir.resolve("history.migrated");
        Files.move(old, moved);
        log.info("History: moved {} entries from {} into the main store; the old folder is now {} and may be deleted",
                copied, old, moved);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        metrics.unregister();
        store.close();
        laneExecutor.shutdown();
        log.info("OpenRTM stopped");
    }
}
