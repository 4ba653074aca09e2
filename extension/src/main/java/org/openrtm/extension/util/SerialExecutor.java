package org.openrtm.extension.util;

import org.jetbrains.annotations.NotNull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared executor. One per user keeps everything that touches a
 * user's mailbox ordered without a thread per user. Thread-safe.
 */
public final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor delegate;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public SerialExecutor(final @NotNull Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(final @NotNull Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        delegate.execute(this::drain);
    }

    /**
     * Runs the task on the calling thread if the lane is idle (then hands any tasks queued meanwhile to the shared
     * executor), else queues it like {@link #execute}. Saves a thread hand-off on the common path; only for callers
     * that may run a short lane task themselves (never the store's writer thread).
     */
    public void runOrQueue(final @NotNull Runnable task) {
        synchronized (tasks) {
            if (running || !tasks.isEmpty()) {
                tasks.add(task);
                if (!running) {
                    running = true;
                    delegate.execute(this::drain);
                }
                return;
            }
            running = true;
        }
        try {
            task.run();
        } catch (final RuntimeException e) {
            log.error("Task failed: {}", e.toString());
            log.debug("Task failure", e);
        } finally {
            synchronized (tasks) {
                if (tasks.isEmpty()) {
                    running = false;
                    return;
                }
            }
            delegate.execute(this::drain);
        }
    }

    private void drain() {
        // run a bounded number of tasks per turn so that one busy user cannot starve the shared executor
        for (int i = 0; i < 64; i++) {
            final Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (final RuntimeException e) {
                log.error("Task failed: {}", e.toString());
                log.debug("Task failure", e);
            }
        }
        delegate.execute(this::drain);
    }

    /**
     * Whether tasks wait behind the one running now. A task that drops the state this executor serializes calls it,
     * so that state still wanted by a queued task is kept.
     */
    public boolean hasQueued() {
        synchronized (tasks) {
            return !tasks.isEmpty();
        }
    }

    /** Whether no task is queued or running (for idle-state clean-up). */
    public boolean isIdle() {
        synchronized (tasks) {
            return !running && tasks.isEmpty();
        }
    }
}
