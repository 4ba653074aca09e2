package org.openrtm.bench.load;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.ByteBuffer;

/**
 * The benchmark's message payload: a 24-byte header followed by filler up to the payload size.
 *
 * <pre>
 * bytes 0-7    the intended send time, System.nanoTime() of the generator (the sender and the receiver are the same
 *              process, so the clock is the same)
 * bytes 8-11   the phase (which measurement the message belongs to)
 * bytes 12-15  the pair (which sender sent it)
 * bytes 16-23  the sequence number of the message within its pair and phase
 * </pre>
 *
 * The intended time, not the time the client got round to sending, is what latency is measured from, so a backlog in
 * the generator or the broker shows as latency instead of being hidden (no coordinated omission). Thread-safe.
 */
public final class Payloads {

    /** The smallest payload that holds the header. */
    public static final int HEADER_BYTES = 24;

    private Payloads() {
    }

    /**
     * Builds a payload.
     *
     * @param size          total bytes, at least {@value #HEADER_BYTES}
     * @param intendedNanos when the message was meant to be sent ({@link System#nanoTime()})
     * @param phase         the phase
     * @param pair          the pair
     * @param seq           the sequence number
     * @return a new array
     * @throws IllegalArgumentException if size is below the header size
     */
    public static byte @NotNull [] encode(final int size, final long intendedNanos, final int phase, final int pair,
                                          final long seq) {
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException("payload size must be at least " + HEADER_BYTES + " bytes, but was " + size);
        }
        final byte[] b = new byte[size];
        ByteBuffer.wrap(b).putLong(intendedNanos).putInt(phase).putInt(pair).putLong(seq);
        return b;
    }

    /**
     * Reads a payload's header.
     *
     * @param payload the payload (its position is not changed)
     * @return the header, or null if the payload is too short to be one of ours
     */
    public static @Nullable Header decode(final @NotNull ByteBuffer payload) {
        if (payload.remaining() < HEADER_BYTES) {
            return null;
        }
        final int p = payload.position();
        return new Header(payload.getLong(p), payload.getInt(p + 8), payload.getInt(p + 12), payload.getLong(p + 16));
    }

    /**
     * A decoded header.
     *
     * @param intendedNanos intended send time
     * @param phase         phase
     * @param pair          pair
     * @param seq           sequence number
     */
    public record Header(long intendedNanos, int phase, int pair, long seq) {
    }
}
