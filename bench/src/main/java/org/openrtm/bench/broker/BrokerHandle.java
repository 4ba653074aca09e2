package org.openrtm.bench.broker;

import org.jetbrains.annotations.NotNull;

/**
 * A broker running as a child process of the benchmark, so that its CPU and memory are measured apart from the
 * load generator's. Implementations are thread-safe.
 */
public interface BrokerHandle extends AutoCloseable {

    /** Which broker this is. */
    @NotNull Target target();

    /** The address its MQTT listener is bound to. */
    @NotNull String host();

    /** Its MQTT TCP port. */
    int port();

    /** The UDP port of the broker's CoAP gateway, or -1 when it has none. */
    default int coapPort() {
        return -1;
    }

    /** The operating-system process id (for {@code /proc}). */
    long pid();

    /** A version string, for the report. */
    @NotNull String version();

    /**
     * The broker's memory now.
     *
     * @param collect for a JVM broker, run a full GC first so that the heap figure is the live heap
     * @return heap (JVM brokers; -1 otherwise) and resident set size
     */
    @NotNull Memory memory(boolean collect);

    /**
     * For diagnosing a client that missed messages: its subscriptions as the broker holds them, space-separated, or a
     * sentence saying why they are not known (brokers other than the embedded HiveMQ cannot tell).
     */
    default @NotNull String subscriptionsOf(final @NotNull String clientId) {
        return "unknown (this broker cannot list a client's subscriptions)";
    }

    /** Whether the process is still running. */
    boolean isAlive();

    /** Stops the broker and waits for the process to end (forcibly after a grace period). Idempotent. */
    @Override
    void close();

    /**
     * Memory of a broker process.
     *
     * @param heapBytes used heap of a JVM broker, or -1
     * @param rssBytes  resident set size, or -1
     */
    record Memory(long heapBytes, long rssBytes) {
    }
}
