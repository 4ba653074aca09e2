package org.openrtm.broker.coap;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A one-client NAT for tests: the device sends to {@link #port()}, the relay forwards from its own "public" socket
 * to the gateway and back. {@link #rebind()} moves the public side to a new source port, as a NAT does when its
 * mapping expires, while the device keeps its socket. Two threads per relay, both end on {@link #close()}.
 */
final class UdpRelay implements AutoCloseable {

    private final DatagramSocket deviceSide;
    private final InetSocketAddress gateway;
    private volatile DatagramSocket publicSide;
    private volatile SocketAddress device;
    private volatile boolean closed;

    UdpRelay(final int gatewayPort) throws IOException {
        this.gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), gatewayPort);
        this.deviceSide = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.publicSide = newPublicSide();
        final Thread up = new Thread(this::upstream, "udp-relay-up");
        up.setDaemon(true);
        up.start();
    }

    int port() {
        return deviceSide.getLocalPort();
    }

    /** The relay's current source port towards the gateway. */
    int publicPort() {
        return publicSide.getLocalPort();
    }

    /** The NAT mapping changes: later datagrams reach the gateway from a new source port. */
    void rebind() throws IOException {
        final DatagramSocket old = publicSide;
        publicSide = newPublicSide();
        old.close();
    }

    private DatagramSocket newPublicSide() throws SocketException {
        final DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final Thread down = new Thread(() -> downstream(s), "udp-relay-down-" + s.getLocalPort());
        down.setDaemon(true);
        down.start();
        return s;
    }

    private void upstream() {
        final byte[] buf = new byte[65535];
        while (!closed) {
            try {
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                deviceSide.receive(p);
                device = p.getSocketAddress();
                publicSide.send(new DatagramPacket(p.getData(), p.getLength(), gateway));
            } catch (final IOException e) {
                if (deviceSide.isClosed()) {
                    return;
                }
            }
        }
    }

    private void downstream(final DatagramSocket s) {
        final byte[] buf = new byte[65535];
        while (!s.isClosed()) {
            try {
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                final SocketAddress d = device;
                if (d != null) {
                    deviceSide.send(new DatagramPacket(p.getData(), p.getLength(), d));
                }
            } catch (final IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        deviceSide.close();
        publicSide.close();
    }
}
