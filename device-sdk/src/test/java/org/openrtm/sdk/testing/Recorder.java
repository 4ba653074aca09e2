package org.openrtm.sdk.testing;

import org.openrtm.sdk.ConnectionChange;
import org.openrtm.sdk.ConnectionListener;
import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.Receipt;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a client's listeners see, with the thread each callback ran on. Test code. */
public final class Recorder implements PeerListener, ConnectionListener {

    public final BlockingQueue<PeerMessage> messages = new LinkedBlockingQueue<>();
    public final BlockingQueue<Receipt> receipts = new LinkedBlockingQueue<>();
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
