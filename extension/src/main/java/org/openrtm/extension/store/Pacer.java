package org.openrtm.extension.store;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a background task to a share of one core: the task calls {@link #pace()} between small units of work, and
 * after each slice of {@value #SLICE_MILLIS} ms of work the pacer pauses the thread so that work / (work + pause) stays
 * at the share. A checkpoint that would take one of this machine's two cores for a few hundred milliseconds every five
 * seconds then takes part of one core for longer, and the message path, which shares the cores, sees no stall
 * (docs/benchmarks.md, finding 11). Wall time stands for work: a thread descheduled in its slice pauses a little more.
 * One instance per task run; not thread-safe.
 */
final class Pacer {

    static final long SLICE_MILLIS = 2;
    /** No pauses. */
    static final Pacer NONE = new Pacer(100);

    private final int percent;
    private long sliceStart = System.nanoTime();
    private long paused;

    /** @param percent the share of a core, 1 to 100 (100: never pauses) */
    Pacer(final int percent) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("share must be 1 to 100 %, was " + percent);
        }
        this.percent = percent;
    }

    /** Called between units of work: pauses if the current slice is used up. */
    void pace() {
        if (percent == 100) {
            return;
        }
        final long worked = System.nanoTime() - sliceStart;
        if (worked < SLICE_MILLIS * 1_000_000) {
            return;
        }
        final long pause = worked * (100 - percent) / percent;
        LockSupport.parkNanos(pause);
        paused += pause;
        sliceStart = System.nanoTime();
    }

    /** Total pause so far, in nanoseconds. */
    long pausedNanos() {
        return paused;
    }
}
