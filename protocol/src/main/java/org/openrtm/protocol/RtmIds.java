package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;

import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * Message ids ({@value Props#ID}): 16 characters of Crockford base32, unique and ordered by creation time, so that
 * sorting them as strings sorts them by time. The first 10 characters are the creation time in ms since the epoch,
 * the last 6 a counter that starts at a random value and increases for every id created in the same millisecond.
 *
 * <p>A generator is thread-safe (one short critical section per id). Ids stay increasing across restarts as long
 * as the wall clock does not go back by more than the restart took; if it goes back while running, the generator
 * keeps counting from the last id it gave out.
 */
public final class RtmIds {

    /** Length of every id. */
    public static final int LENGTH = 16;

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final int TIME_CHARS = 10;
    private static final int COUNTER_BITS = 30;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

    private final LongSupplier clock;
    private long lastTime = -1;
    private long lastCounter;
    private final SecureRandom random = new SecureRandom();

    private RtmIds(final LongSupplier clock) {
        this.clock = clock;
    }

    /** A generator on the system clock. */
    public static @NotNull RtmIds generator() {
        return new RtmIds(System::currentTimeMillis);
    }

    /** A generator on the given clock (ms since the epoch); for tests. */
    public static @NotNull RtmIds generator(final @NotNull LongSupplier clockMillis) {
        return new RtmIds(clockMillis);
    }

    /** Creates the next id. */
    public @NotNull String next() {
        final long now = clock.getAsLong();
        final long time;
        final long counter;
        synchronized (this) {
            if (now > lastTime) {
                // a fresh millisecond: start the counter at a random point in its lower half, so that ids of
                // different processes rarely collide and there is room to count up
                lastTime = now;
                lastCounter = random.nextInt(1 << (COUNTER_BITS - 1));
            } else if (++lastCounter > COUNTER_MASK) {
                // more ids in one millisecond than the counter holds (or the clock went back): borrow the next one
                lastTime++;
                lastCounter = 0;
            }
            time = lastTime;
            counter = lastCounter;
        }
        return encode(time, counter);
    }

    /**
     * Reads the creation time out of an id.
     *
     * @throws IllegalArgumentException if {@code id} is not an id of this format
     */
    public static long timestampOf(final @NotNull String id) {
        if (id.length() != LENGTH) {
            throw new IllegalArgumentException("rtm-id must be " + LENGTH + " characters, but was " + Ids.show(id));
        }
        long time = 0;
        for (int i = 0; i < TIME_CHARS; i++) {
            final int v = valueOf(id.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("rtm-id must be Crockford base32, but was " + Ids.show(id));
            }
            time = (time << 5) | v;
        }
        return time;
    }

    /** Whether {@code id} has the shape of an id. */
    public static boolean isValid(final String id) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            if (valueOf(id.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The smallest id that can have been created at {@code timeMillis}; for range queries. */
    public static @NotNull String lowest(final long timeMillis) {
        return encode(timeMillis, 0);
    }

    private static String encode(final long time, final long counter) {
        final char[] out = new char[LENGTH];
        long t = time;
        for (int i = TIME_CHARS - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        long c = counter;
        for (int i = LENGTH - 1; i >= TIME_CHARS; i--) {
            out[i] = ALPHABET[(int) (c & 31)];
            c >>>= 5;
        }
        return new String(out);
    }

    private static int valueOf(final char c) {
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
