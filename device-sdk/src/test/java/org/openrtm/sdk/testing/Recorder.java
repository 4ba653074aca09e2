package org.openrtm.sdk.testing;

import org.openrtm.sdk.ConnectionChange;
import org.openrtm.sdk.ConnectionListener;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.Receipt;
import org.openrtm.sdk.RtmException;
import org.openrtm.sdk.broadcast.BroadcastListener;
import org.openrtm.sdk.broadcast.BroadcastMessage;
import org.openrtm.sdk.channel.ChannelCount;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;
import org.openrtm.sdk.channel.MemberEvent;
import org.openrtm.sdk.presence.PresenceEvent;
import org.openrtm.sdk.presence.PresenceListener;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a client's listeners see, with the thread each callback ran on. Test code. */
public final class Recorder implements PeerListener, ConnectionListener, ChannelListener, PresenceListener,
        BroadcastListener {

    public final BlockingQueue<PeerMessage> messages = new LinkedBlockingQueue<>();
    public final BlockingQueue<Receipt> receipts = new LinkedBlockingQueue<>();
    public final BlockingQueue<ChannelMessage> channelMessages = new LinkedBlockingQueue<>();
    /** Member joined and left events in order; a left event has no {@code since}. */
    public final BlockingQueue<MemberEvent> members = new LinkedBlockingQueue<>();
    public final BlockingQueue<ChannelCount> counts = new LinkedBlockingQueue<>();
    public final BlockingQueue<PresenceEvent> presence = new LinkedBlockingQueue<>();
    public final BlockingQueue<BroadcastMessage> broadcasts = new LinkedBlockingQueue<>();
    public final List<String> joinsLost = new CopyOnWriteArrayList<>();
    public final List<ConnectionChange> changes = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(final PeerMessage message) {
        threads.add(Thread.currentThread().getName());
        messages.add(message);
    }

    @Override
    public void onReceipt(final Receipt receipt) {
        threads.add(Thread.currentThread().getName());
        receipts.add(receipt);
    }

    @Override
    public void onConnectionStateChanged(final ConnectionChange change) {
        threads.add(Thread.currentThread().getName());
        changes.add(change);
    }

    @Override
    public void onMessage(final ChannelMessage message) {
        threads.add(Thread.currentThread().getName());
        channelMessages.add(message);
    }

    @Override
    public void onMemberJoined(final MemberEvent event) {
        threads.add(Thread.currentThread().getName());
        members.add(event);
    }

    @Override
    public void onMemberLeft(final MemberEvent event) {
        threads.add(Thread.currentThread().getName());
        members.add(event);
    }

    @Override
    public void onCountChanged(final ChannelCount count) {
        threads.add(Thread.currentThread().getName());
        counts.add(count);
    }

    @Override
    public void onJoinLost(final String channel, final RtmException error) {
        threads.add(Thread.currentThread().getName());
        joinsLost.add(channel + ": " + error.getMessage());
    }

    @Override
    public void onPresence(final PresenceEvent event) {
        threads.add(Thread.currentThread().getName());
        presence.add(event);
    }

    @Override
    public void onBroadcast(final BroadcastMessage message) {
        threads.add(Thread.currentThread().getName());
        broadcasts.add(message);
    }

    /** The next element of a queue within 10 s, or an AssertionError. */
    public static <T> T next(final BlockingQueue<T> queue) throws InterruptedException {
        final T t = queue.poll(10, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("nothing within 10 s");
        }
        return t;
    }

    /** Waits for an element that matches, dropping the ones before it; AssertionError after 10 s. */
    public static <T> T nextMatching(final BlockingQueue<T> queue, final java.util.function.Predicate<T> p)
            throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            final T t = queue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (t == null) {
                throw new AssertionError("nothing matching within 10 s");
            }
            if (p.test(t)) {
                return t;
            }
        }
    }

    /** The next message within 10 s, or an AssertionError. */
    public PeerMessage nextMessage() throws InterruptedException {
        final PeerMessage m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 10 s");
        }
        return m;
    }

    /** The next receipt within 10 s, or an AssertionError. */
    public Receipt nextReceipt() throws InterruptedException {
        final Receipt r = receipts.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no receipt within 10 s");
        }
        return r;
    }
}
