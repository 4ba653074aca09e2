package org.openrtm.bench.load;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import org.jetbrains.annotations.NotNull;
import org.openrtm.bench.broker.BrokerHandle;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Makes {@link Device}s: HiveMQ MQTT clients that share one Netty event loop group of a few threads (non-blocking
 * I/O, thousands of connections per thread), spread over several loopback source addresses (127.0.0.1, 127.0.0.2,
 * ...) so that a large fleet is not limited by one address's ephemeral port range, and with tokens minted in-process
 * for the OpenRTM broker. Thread-safe.
 */
public final class Generator {

    private static final Logger log = LoggerFactory.getLogger(Generator.class);

    private final MqttClientExecutorConfig executor;
    private final Tokens tokens;
    private final List<InetAddress> sources;
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder unexpectedDisconnects = new LongAdder();

    /**
     * @param nettyThreads    event loop threads shared by every client (at least 1)
     * @param sourceAddresses how many loopback source addresses to spread connections over (1 to 254)
     * @param secret          the token secret of the OpenRTM broker
     * @throws IllegalArgumentException if a count is out of range
     */
    public Generator(final int nettyThreads, final int sourceAddresses, final @NotNull String secret) {
        if (nettyThreads < 1) {
            throw new IllegalArgumentException("netty threads must be at least 1, but was " + nettyThreads);
        }
        if (sourceAddresses < 1 || sourceAddresses > 254) {
            throw new IllegalArgumentException("source addresses must be between 1 and 254, but was " + sourceAddresses);
        }
        this.executor = MqttClientExecutorConfig.builder().nettyThreads(nettyThreads).build();
        this.tokens = new Tokens(secret.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO);
        this.sources = new ArrayList<>();
        for (int i = 1; i <= sourceAddresses; i++) {
            try {
                sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
            } catch (final UnknownHostException e) {
                throw new IllegalStateException("127.0.0." + i + " is not an address: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A device for a broker, not yet connected. For the OpenRTM broker it carries a token for its uid; plain brokers
     * get no password.
     *
     * @param broker where it connects
     * @param uid    its client id
     * @return the device
     */
    public @NotNull Device device(final @NotNull BrokerHandle broker, final @NotNull String uid) {
        final InetAddress source = sources.get(Math.floorMod(next.getAndIncrement(), sources.size()));
        final Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5()
                .identifier(uid)
                .transportConfig()
                .serverAddress(new InetSocketAddress(broker.host(), broker.port()))
                .localAddress(new InetSocketAddress(source, 0))
                .socketConnectTimeout(30, TimeUnit.SECONDS)
                .mqttConnectTimeout(60, TimeUnit.SECONDS)
                .applyTransportConfig()
                .executorConfig(executor)
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() != MqttDisconnectSource.USER) {
                        unexpectedDisconnects.increment();
                        log.debug("{} disconnected by {}: {}", uid, ctx.getSource(), ctx.getCause().toString());
                    }
                })
                .buildAsync();
        final String token = broker.target().isRtm() ? tokens.mint(uid, Role.USER, Duration.ofHours(24)) : null;
        return new Device(uid, client, token);
    }

    /**
     * A token for a uid, valid for a day, signed with the OpenRTM broker's secret (for CoAP devices, which log in
     * through the gateway rather than as a {@link Device}).
     *
     * @param uid the user
     * @return the token
     */
    public @NotNull String token(final @NotNull String uid) {
        return tokens.mint(uid, Role.USER, Duration.ofHours(24));
    }

    /** Connections lost without the generator asking (refused connects included), since start. */
    public long unexpectedDisconnects() {
        return unexpectedDisconnects.sum();
    }

    /**
     * Runs an asynchronous action on many devices with at most {@code concurrency} in flight.
     *
     * @param devices     the devices
     * @param concurrency how many actions may be outstanding at once
     * @param action      what to do with each device
     * @param timeout     how long to wait for all of them
     * @param perDevice   told each action's duration in nanoseconds (successful ones only)
     * @return the failures (empty if all succeeded); a device still running at the timeout counts as failed
     * @throws InterruptedException if interrupted while waiting
     */
    public static @NotNull List<Throwable> forAll(final @NotNull List<Device> devices, final int concurrency,
                                                  final @NotNull Function<Device, CompletableFuture<?>> action,
                                                  final @NotNull Duration timeout, final @NotNull LongConsumer perDevice)
            throws InterruptedException {
        final Semaphore permits = new Semaphore(Math.max(1, concurrency));
        final CountDownLatch done = new CountDownLatch(devices.size());
        final List<Throwable> failures = new ArrayList<>();
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (final Device d : devices) {
            final long left = deadline - System.nanoTime();
            if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            final long t0 = System.nanoTime();
            CompletableFuture<?> f;
            try {
                f = action.apply(d);
            } catch (final RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, e) -> {
                if (e != null) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } else {
                    perDevice.accept(System.nanoTime() - t0);
                }
                permits.release();
                done.countDown();
            });
        }
        if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            synchronized (failures) {
                failures.add(new IllegalStateException(done.getCount() + " of " + devices.size()
                        + " devices did not finish within " + timeout.toSeconds() + " s"));
            }
        }
        synchronized (failures) {
            return new ArrayList<>(failures);
        }
    }
}
