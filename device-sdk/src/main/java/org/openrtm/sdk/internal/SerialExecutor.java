package org.openrtm.sdk.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor (which may have many threads). This is
 * what keeps callbacks ordered on an application's thread pool. Thread-safe.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());

    private final Executor delegate;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(final Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(final Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        schedule();
    }

    private void schedule() {
        try {
            delegate.execute(this::drain);
        } catch (final RuntimeException e) {
            // the application's executor refused (for example it was shut down): run nothing more, but say so
            synchronized (tasks) {
                running = false;
            }
            LOG.log(Level.WARNING, "callback executor refused a task; callbacks are not run: " + e);
        }
    }

    private void drain() {
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
                LOG.log(Level.WARNING, "a callback threw " + e, e);
            }
        }
        // let other work of a shared executor run, then continue
        schedule();
    }
}
