package org.openrtm.sdk.internal;

import org.jetbrains.annotations.Nullable;

import javax.net.SocketFactory;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Paho's socket factory: every socket has TCP_NODELAY (without it, QoS 1 round trips stall for tens of ms on
 * delayed ACKs) and lets a {@link ConnackSniffer} see the first bytes it receives, and a {@link SubackPatch} fix the
 * SUBACKs Paho would choke on. One factory per connection attempt.
 *
 * <p>A logout closes the socket gracefully ({@link #lingerOnClose}): Paho shuts the input and closes the socket right
 * after writing the DISCONNECT, and closing a TCP socket with unread bytes in its receive buffer (a message the server
 * sent a moment earlier) makes the kernel send a reset instead of a FIN. A server that writes to the connection
 * before reading the DISCONNECT then sees the reset first and takes the logout for a lost connection ({@code
 * unreachable} for the grace period, still in its channels). So after a logout the socket reads and discards until
 * the server closes the connection (as it does on a DISCONNECT), bounded, and only then closes. Whatever Paho's
 * sender still writes meanwhile (an acknowledgement queued before the logout) is dropped: nothing may follow a
 * DISCONNECT, and writing it to a connection the server has closed would only log a broken pipe.
 */
final class NoDelaySocketFactory extends SocketFactory {

    private final ConnackSniffer sniffer;
    private final SubackPatch patch;
    private volatile SniffingSocket socket;

    NoDelaySocketFactory(final @Nullable ConnackSniffer sniffer, final @Nullable SubackPatch patch) {
        this.sniffer = sniffer;
        this.patch = patch;
    }

    @Override
    public Socket createSocket() throws IOException {
        final SniffingSocket s = new SniffingSocket(sniffer, patch);
        s.setTcpNoDelay(true);
        // until the CONNACK, a close resets the connection (see connectionAccepted)
        s.setSoLinger(true, 0);
        socket = s;
        return s;
    }

    /**
     * The server accepted the connection: from now on a close is an ordinary one. Until then a close (an attempt given
     * up, a connect timeout) resets the connection and discards whatever the kernel still holds to send: a graceful
     * close would let the kernel go on retransmitting the CONNECT of an abandoned attempt, and on a lossy link it may
     * reach the server after the CONNECT of the next attempt and take that connection's session over (DISCONNECT
     * 0x8E), which the client would take for a login elsewhere.
     */
    void connectionAccepted() {
        final SniffingSocket s = socket;
        if (s != null) {
            try {
                s.setSoLinger(false, 0);
            } catch (final IOException e) {
                // closed already: nothing to change
            }
        }
    }

    /**
     * Makes the next close of this connection's socket a graceful one: read until the server closes
     * (or {@code millis} pass), then close. Call before sending the DISCONNECT.
     */
    void lingerOnClose(final long millis) {
        final SniffingSocket s = socket;
        if (s != null) {
            s.lingerMillis = millis;
        }
    }

    /** Waits at most {@code millis} until the socket is closed; true if it is (or there never was one). */
    boolean awaitClosed(final long millis) throws InterruptedException {
        final SniffingSocket s = socket;
        return s == null || s.closed.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public Socket createSocket(final String host, final int port) throws IOException {
        final Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(final String host, final int port, final InetAddress localHost, final int localPort)
            throws IOException {
        final Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(final InetAddress host, final int port) throws IOException {
        final Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(final InetAddress address, final int port, final InetAddress localAddress,
                               final int localPort) throws IOException {
        final Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    /** A plain socket whose input stream also feeds the sniffer and the SUBACK patch, and that can close gracefully. */
    private static final class SniffingSocket extends Socket {
        private final ConnackSniffer sniffer;
        private final SubackPatch patch;
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile long lingerMillis;
        private volatile boolean closing;
        private InputStream in;
        private OutputStream output;

        SniffingSocket(final ConnackSniffer sniffer, final SubackPatch patch) {
            this.sniffer = sniffer;
            this.patch = patch;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (sniffer == null && patch == null) {
                return super.getInputStream();
            }
            if (in == null) {
                in = new SniffingInputStream(super.getInputStream(), sniffer, patch);
            }
            return in;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(final int b) throws IOException {
                        if (!closing) {
                            super.write(b);
                        }
                    }

                    @Override
                    public void write(final byte[] b, final int off, final int len) throws IOException {
                        if (!closing) {
                            out.write(b, off, len); // the socket's own stream, not byte by byte
                        }
                    }

                    @Override
                    public void flush() throws IOException {
                        if (!closing) {
                            super.flush();
                        }
                    }
                };
            }
            return output;
        }

        @Override
        public void shutdownInput() throws IOException {
            if (lingerMillis == 0) {
                super.shutdownInput();
            }
            // a graceful close reads on until the server closes: shutting the input now would leave its bytes unread
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                if (lingerMillis > 0 && !isClosed() && isConnected()) {
                    closing = true;
                    drainUntilServerCloses(lingerMillis);
                }
            } finally {
                super.close();
                closed.countDown();
            }
        }

        private void drainUntilServerCloses(final long millis) {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            try {
                final InputStream raw = super.getInputStream();
                final byte[] sink = new byte[4096];
                while (true) {
                    final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        return;
                    }
                    setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
                    if (raw.read(sink) < 0) {
                        return;
                    }
                }
            } catch (final SocketTimeoutException e) {
                // the server did not close in time: close anyway
            } catch (final IOException e) {
                // reset or already shut: nothing more to read
            }
        }
    }

    private static final class SniffingInputStream extends FilterInputStream {
        private final ConnackSniffer sniffer;
        private final SubackPatch patch;
        private final byte[] one = new byte[1];

        SniffingInputStream(final InputStream in, final ConnackSniffer sniffer, final SubackPatch patch) {
            super(in);
            this.sniffer = sniffer;
            this.patch = patch;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                if (sniffer != null) {
                    one[0] = (byte) b;
                    sniffer.feed(one, 0, 1);
                }
                if (patch != null) {
                    b = patch.next(b);
                }
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            final int n = super.read(b, off, len);
            if (n > 0) {
                if (sniffer != null) {
                    sniffer.feed(b, off, n);
                }
                if (patch != null) {
                    patch.process(b, off, n);
                }
            }
            return n;
        }
    }
}
