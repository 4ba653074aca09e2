package org.openrtm.extension;

import com.hivemq.extension.sdk.api.services.ManagedExtensionExecutorService;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import org.jetbrains.annotations.NotNull;
import org.openrtm.extension.access.AccessPolicy;
import org.openrtm.extension.access.RtmSubscriptionAuthorizer;
import org.openrtm.extension.access.SubscriptionListener;
import org.openrtm.extension.auth.RtmAuthenticator;
import org.openrtm.extension.auth.Secrets;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.extension.config.RtmConfig;
import org.openrtm.extension.config.Settings;
import org.openrtm.extension.delivery.Box;
import org.openrtm.extension.delivery.HiveMqOutbound;
import org.openrtm.extension.delivery.Mailboxes;
import org.openrtm.extension.delivery.Monitors;
import org.openrtm.extension.delivery.Outbound;
import org.openrtm.extension.peer.Dedup;
import org.openrtm.extension.peer.PeerService;
import org.openrtm.extension.routing.PublishHandler;
import org.openrtm.extension.routing.PublishRouter;
import org.openrtm.extension.routing.RtmClientInitializer;
import org.openrtm.extension.rpc.RpcService;
import org.openrtm.extension.rpc.ServerInfo;
import org.openrtm.extension.session.ConnackTracker;
import org.openrtm.extension.session.LifecycleListener;
import org.openrtm.extension.session.Sessions;
import org.openrtm.extension.store.Store;
import org.openrtm.extension.store.StoreOptions;
import org.openrtm.protocol.Rpc;
import org.openrtm.protocol.RtmIds;
import org.openrtm.protocol.RtmStatus;
import org.openrtm.protocol.TopicFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The assembled extension: every service, constructed and connected, and registered with HiveMQ. Built by
 * {@link RtmExtensionMain} on start and closed on stop. Not thread-safe itself (start and close run on HiveMQ's
 * extension lifecycle thread); the services it holds are.
 */
public final class RtmRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtmRuntime.class);

    /** How long a publish may wait for its service's decision before HiveMQ answers with an error. */
    private static final Duration DECISION_TIMEOUT = Duration.ofSeconds(10);

    private final Store store;
    private final Sessions sessions;
    private final Mailboxes mailboxes;
    private final Dedup dedup;
    private final Tokens tokens;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    private RtmRuntime(final Store store, final Sessions sessions, final Mailboxes mailboxes, final Dedup dedup,
                       final Tokens tokens) {
        this.store = store;
        this.sessions = sessions;
        this.mailboxes = mailboxes;
        this.dedup = dedup;
        this.tokens = tokens;
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
        final Tokens tokens = new Tokens(Secrets.load(env, dataDir), clock, config.get(Settings.AUTH_CLOCK_SKEW));

        final StoreOptions storeOptions = new StoreOptions(StoreOptions.Sync.of(config.get(Settings.STORE_SYNC)),
                config.get(Settings.STORE_SYNC_INTERVAL), config.get(Settings.STORE_CHECKPOINT_INTERVAL),
                config.get(Settings.STORE_CHECKPOINT_ENTRIES));
        final Store store = Store.open(dataDir.resolve("store"), storeOptions,
                List.of(Mailboxes.KEYSPACE, Dedup.KEYSPACE), executor);

        final Outbound outbound = new HiveMqOutbound(Services.publishService());
        final Sessions sessions = new Sessions(config.get(Settings.RATE_PER_SECOND), config.get(Settings.RATE_BURST));
        final Map<Box, Mailboxes.BoxLimits> boxLimits = new EnumMap<>(Box.class);
        boxLimits.put(Box.INBOX, new Mailboxes.BoxLimits(config.get(Settings.OFFLINE_MAX_MESSAGES),
                config.get(Settings.OFFLINE_TTL).toMillis()));
        boxLimits.put(Box.EVENT, new Mailboxes.BoxLimits(config.get(Settings.OFFLINE_MAX_EVENTS),
                config.get(Settings.OFFLINE_TTL).toMillis()));
        final Mailboxes mailboxes = new Mailboxes(store, outbound, executor, clock, boxLimits, RtmRuntime::subscriptionsOf);
        final Dedup dedup = new Dedup(store, config.get(Settings.DEDUP_WINDOW), clock,
                (recipient, rtmId) -> mailboxes.outcomeOf(recipient, rtmId)
                        .thenApply(o -> o == Mailboxes.Outcome.CACHED ? RtmStatus.CACHED : RtmStatus.DELIVERED));
        final RtmIds ids = RtmIds.generator();
        final PeerService peer = new PeerService(mailboxes, dedup, ids, clock);
        mailboxes.setAckListener(peer);
        sessions.addListener(mailboxes);
        final Monitors monitors = new Monitors(outbound, RtmRuntime::subscriptionsOf);
        mailboxes.setMonitors(monitors);
        sessions.addListener(monitors);

        final RpcService rpc = new RpcService(outbound);
        rpc.register(Rpc.SERVER_INFO, new ServerInfo(version, config, clock));

        final AccessPolicy policy = new AccessPolicy(EnumSet.of(TopicFamily.INBOX, TopicFamily.EVENT),
                "allow".equals(config.get(Settings.NON_RTM_TOPICS)));
        final Map<TopicFamily, PublishHandler> handlers = new EnumMap<>(TopicFamily.class);
        handlers.put(TopicFamily.INBOX, peer::send);
        handlers.put(TopicFamily.RPC, rpc::handle);
        final PublishRouter.Rules rules = new PublishRouter.Rules(handlers, policy, config.get(Settings.MAX_PAYLOAD_BYTES),
                config.get(Settings.RATE_PER_SECOND), config.get(Settings.RATE_BURST), DECISION_TIMEOUT);
        final List<SubscriptionListener> subscriptionListeners = List.of(mailboxes, monitors);

        final RtmAuthenticator authenticator = new RtmAuthenticator(tokens, sessions);
        final RtmSubscriptionAuthorizer authorizer = new RtmSubscriptionAuthorizer(sessions, policy);
        final ConnackTracker connackTracker = new ConnackTracker(sessions);
        final LifecycleListener lifecycle = new LifecycleListener(sessions);
        final RtmClientInitializer initializer = new RtmClientInitializer(sessions, rules, mailboxes, subscriptionListeners);

        Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
        Services.interceptorRegistry().setConnackOutboundInterceptorProvider(in -> connackTracker);
        Services.eventRegistry().setClientLifecycleEventListener(in -> lifecycle);
        Services.initializerRegistry().setClientInitializer(initializer);

        final RtmRuntime runtime = new RtmRuntime(store, sessions, mailboxes, dedup, tokens);
        runtime.timers.add(executor.scheduleAtFixedRate(runtime::upkeep, 30, 30, TimeUnit.SECONDS));
        log.info("OpenRTM {} started: store {}, {} cached messages, token secret from {}", version, store.directory(),
                mailboxes.storedMessages(), Secrets.describeSource(env, dataDir));
        return runtime;
    }

    private void upkeep() {
        try {
            mailboxes.sweep();
            dedup.sweep();
        } catch (final RuntimeException e) {
            log.error("Periodic clean-up failed: {}", e.toString());
            log.debug("Clean-up failure", e);
        }
    }

    private static CompletableFuture<Map<String, Integer>> subscriptionsOf(final String clientId) {
        return Services.subscriptionStore().getSubscriptions(clientId).thenApply(set -> {
            final Map<String, Integer> out = new HashMap<>();
            for (final TopicSubscription s : set) {
                out.put(s.getTopicFilter(), s.getQos().getQosNumber());
            }
            return out;
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

    /** The mailboxes (for metrics and tests). */
    public @NotNull Mailboxes mailboxes() {
        return mailboxes;
    }

    @Override
    public void close() {
        for (final ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        store.close();
        log.info("OpenRTM stopped");
    }
}
