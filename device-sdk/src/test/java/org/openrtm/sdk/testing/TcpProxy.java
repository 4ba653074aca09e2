package org.openrtm.sdk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the SDK and the broker, for fault injection with the broker still up: it can cut every live
 * connection at once (with a reset, like a dropped mobile link), refuse new connections, and swallow the bytes of
 * one or both directions (a link that looks alive but delivers nothing). Test code; daemon threads.
 */
public final class TcpProxy implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean accepting = true;
    private volatile boolean dropUpstream;
    private volatile boolean dropDownstream;
    private volatile boolean closed;

    public TcpProxy(final int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread t = new Thread(this::acceptLoop, "proxy-accept-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code tcp://127.0.0.1:port} of the proxy. */
    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    /** How many connections were accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Closes every live connection with a reset (both sides see the connection die). */
    public void cutAll() {
        for (final Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (final IOException ignored) {
                // already gone
            }
        }
        sockets.clear();
    }

    /** Whether new connections are forwarded; when false they are closed at once. */
    public void accepting(final boolean accept) {
        this.accepting = accept;
    }

    /** Whether bytes from the client to the broker are swallowed. */
    public void dropUpstream(final boolean drop) {
        this.dropUpstream = drop;
    }

    /** Whether bytes from the broker to the client are swallowed. */
    public void dropDownstream(final boolean drop) {
        this.dropDownstream = drop;
    }

    private void acceptLoop() {
        while (!closed) {
            final Socket client;
            try {
                client = server.accept();
            } catch (final IOException e) {
                return;
            }
            if (!accepting) {
                close(client);
                continue;
            }
            accepted.incrementAndGet();
            try {
                client.setTcpNoDelay(true);
                final Socket upstream = new Socket();
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (final IOException e) {
                close(client);
            }
        }
    }

    private void pump(final Socket from, final Socket to, final boolean up) {
        final Thread t = new Thread(() -> {
            final byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (up ? dropUpstream : dropDownstream) {
                        continue;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (final IOException ignored) {
                // the connection ended
            } finally {
                close(from);
                close(to);
            }
        }, "proxy-" + (up ? "up" : "down"));
        t.setDaemon(true);
        t.start();
    }

    private void close(final Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (final IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (final IOException ignored) {
            // already closed
        }
        cutAll();
    }
}
