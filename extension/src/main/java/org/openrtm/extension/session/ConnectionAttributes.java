package org.openrtm.extension.session;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Ties HiveMQ's per-connection callbacks to a {@link Connection}: the authenticator stores the connection number in
 * HiveMQ's connection attribute store, every later callback reads it back. Stateless.
 */
public final class ConnectionAttributes {

    /** The attribute that holds the connection number (8 bytes, big-endian). */
    public static final String NUMBER = "openrtm.connection";

    private ConnectionAttributes() {
    }

    /** Remembers the connection's number on HiveMQ's side. */
    public static void bind(final @NotNull ConnectionInformation info, final @NotNull Connection connection) {
        info.getConnectionAttributeStore().put(NUMBER, ByteBuffer.allocate(8).putLong(0, connection.number()));
    }

    /** The connection number stored by {@link #bind}, or -1. */
    public static long number(final @NotNull ConnectionInformation info) {
        final Optional<ByteBuffer> b = info.getConnectionAttributeStore().get(NUMBER);
        return b.map(buf -> buf.getLong(0)).orElse(-1L);
    }

    /** The live connection for a HiveMQ callback, or {@code null}. */
    public static @Nullable Connection of(final @NotNull Sessions sessions, final @NotNull ConnectionInformation info) {
        final long n = number(info);
        return n < 0 ? null : sessions.byNumber(n);
    }
}
