package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.client.MqttPingSender;
import org.eclipse.paho.mqttv5.client.internal.ClientComms;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Paho's keep-alive timer on the client's scheduler instead of a {@code java.util.Timer} thread per connection.
 * The check itself runs on the I/O executor, because on a timeout Paho tears the connection down there, which can
 * wait for its threads.
 */
final class EnginePingSender implements MqttPingSender {

    private final ScheduledExecutorService scheduler;
    private final Executor io;
    private volatile ClientComms comms;
    private ScheduledFuture<?> next;

    EnginePingSender(final ScheduledExecutorService scheduler, final Executor io) {
        this.scheduler = scheduler;
        this.io = io;
    }

    @Override
    public void init(final ClientComms comms) {
        this.comms = comms;
    }

    @Override
    public void start() {
        schedule(comms.getKeepAlive());
    }

    @Override
    public synchronized void stop() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public synchronized void schedule(final long delayInMilliseconds) {
        if (next != null) {
            next.cancel(false);
        }
        next = scheduler.schedule(() -> io.execute(() -> comms.checkForActivity()), delayInMilliseconds,
                TimeUnit.MILLISECONDS);
    }
}
