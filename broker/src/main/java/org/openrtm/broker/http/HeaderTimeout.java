package org.openrtm.broker.http;

import org.jetbrains.annotations.NotNull;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP connection whose next request line and headers have not arrived within {@code http.header-timeout}:
 * counted from the connection's opening, and again from the end of each response. Jetty's idle timeout alone does
 * not stop a client that sends one byte every few seconds (slowloris); this deadline does.
 *
 * <p>Jetty calls {@link #onOpened}/{@link #onClosed} on its selector threads; the dispatcher calls
 * {@link #requestStarted}/{@link #requestEnded} on request threads; expiry runs on Jetty's scheduler. Each watch is
 * guarded by its own monitor. Thread-safe.
 */
final class HeaderTimeout implements Connection.Listener {

    private static final Logger log = LoggerFactory.getLogger(HeaderTimeout.class);

    private final Scheduler scheduler;
    private final long timeoutMillis;
    /** Concurrent: selector threads add and remove, request threads look up. */
    private final Map<Connection, Watch> watches = new ConcurrentHashMap<>();

    HeaderTimeout(final @NotNull Scheduler scheduler, final @NotNull Duration timeout) {
        this.scheduler = scheduler;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void onOpened(final Connection connection) {
        final Watch w = new Watch(connection);
        watches.put(connection, w);
        w.arm();
    }

    @Override
    public void onClosed(final Connection connection) {
        final Watch w = watches.remove(connection);
        if (w != null) {
            w.disarm();
        }
    }

    /** A request's headers arrived on {@code connection}: its deadline is off until the response ends. */
    void requestStarted(final @NotNull Connection connection) {
        final Watch w = watches.get(connection);
        if (w != null) {
            w.disarm();
        }
    }

    /** The response on {@code connection} ended: the next request's headers have a new deadline. */
    void requestEnded(final @NotNull Connection connection) {
        final Watch w = watches.get(connection);
        if (w != null) {
            w.arm();
        }
    }

    /** Connections being watched (for tests and diagnostics). */
    int watched() {
        return watches.size();
    }

    /** The deadline of one connection. */
    private final class Watch {
        private final Connection connection;
        /** The armed deadline, or null; guarded by this. */
        private Scheduler.Task task;
        /** Bumped on every arm and disarm, so that a deadline that fires late for an old phase does nothing. */
        private long phase;

        Watch(final Connection connection) {
            this.connection = connection;
        }

        synchronized void arm() {
            cancel();
            final long armed = ++phase;
            task = scheduler.schedule(() -> expire(armed), timeoutMillis, TimeUnit.MILLISECONDS);
        }

        synchronized void disarm() {
            cancel();
            phase++;
        }

        private void cancel() {
            if (task != null) {
                task.cancel();
                task = null;
            }
        }

        private void expire(final long armed) {
            synchronized (this) {
                if (armed != phase) {
                    return;
                }
                task = null;
            }
            log.debug("HTTP connection from {} closed: no complete request headers within {} ms (http.header-timeout)",
                    connection.getEndPoint().getRemoteSocketAddress(), timeoutMillis);
            connection.getEndPoint().close();
        }
    }
}
