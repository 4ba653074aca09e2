package org.openrtm.examples;

import org.jetbrains.annotations.NotNull;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a listener saw, for a program that waits for it: listeners {@link #add(Object)} (on the SDK's callback thread),
 * the program {@link #next(String)} (on its own). Thread-safe.
 *
 * @param <T> what is waited for
 */
public final class Waiter<T> {

    /** How long an example waits for something before it gives up. */
    public static final Duration PATIENCE = Duration.ofSeconds(10);

    private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();

    /** Adds what a listener saw. */
    public void add(final @NotNull T t) {
        queue.add(t);
    }

    /**
     * The next thing seen, waiting up to {@link #PATIENCE}.
     *
     * @param what what is expected, for the error
     * @return the next thing
     * @throws IllegalStateException if nothing came in time
     * @throws InterruptedException  if interrupted
     */
    public @NotNull T next(final @NotNull String what) throws InterruptedException {
        final T t = queue.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new IllegalStateException("waited " + PATIENCE.getSeconds() + " s for " + what + ", but nothing came");
        }
        return t;
    }

    /**
     * The next thing seen that matches, dropping the others, waiting up to {@link #PATIENCE} in all.
     *
     * @param what  what is expected, for the error
     * @param match the condition
     * @return the thing
     * @throws IllegalStateException if nothing matching came in time
     * @throws InterruptedException  if interrupted
     */
    public @NotNull T next(final @NotNull String what, final @NotNull Predicate<T> match) throws InterruptedException {
        final long end = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            final T t = queue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (t == null) {
                throw new IllegalStateException("waited " + PATIENCE.getSeconds() + " s for " + what + ", but it did not come");
            }
            if (match.test(t)) {
                return t;
            }
        }
    }

    /**
     * Whether anything arrives within a short time (for "this must not arrive").
     *
     * @param within how long to wait
     * @return whether something came
     * @throws InterruptedException if interrupted
     */
    public boolean anyWithin(final @NotNull Duration within) throws InterruptedException {
        return queue.poll(within.toMillis(), TimeUnit.MILLISECONDS) != null;
    }
}
