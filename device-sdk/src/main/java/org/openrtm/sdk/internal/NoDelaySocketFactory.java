package org.openrtm.sdk.internal;

import org.jetbrains.annotations.Nullable;

import javax.net.SocketFactory;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Paho's socket factory: every socket has TCP_NODELAY (without it, QoS 1 round trips stall for tens of ms on
 * delayed ACKs) and lets a {@link ConnackSniffer} see the first bytes it receives, and a {@link SubackPatch} fix the
 * SUBACKs Paho would choke on. One factory per connection attempt.
 */
final class NoDelaySocketFactory extends SocketFactory {

    private final ConnackSniffer sniffer;
    private final SubackPatch patch;

    NoDelaySocketFactory(final @Nullable ConnackSniffer sniffer, final @Nullable SubackPatch patch) {
        this.sniffer = sniffer;
        this.patch = patch;
    }

    @Override
    public Socket createSocket() throws IOException {
        final Socket s = new SniffingSocket(sniffer, patch);
        s.setTcpNoDelay(true);
        return s;
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

    /** A plain socket whose input stream also feeds the sniffer and the SUBACK patch. */
    private static final class SniffingSocket extends Socket {
        private final ConnackSniffer sniffer;
        private final SubackPatch patch;
        private InputStream in;

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
