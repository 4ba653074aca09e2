package org.openrtm.broker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on 127.0.0.1 in front of a broker port, for tests that need a connection to die without a DISCONNECT:
 * {@link #cutAll()} resets every proxied connection (SO_LINGER 0), as a network failure or a crashed device would.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "tcp-proxy");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /** Starts a proxy on a free port forwarding to 127.0.0.1:{@code targetPort}. */
    public TcpProxy(final int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                final Socket client = server.accept();
                final Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                threads.execute(() -> pump(client, upstream));
                threads.execute(() -> pump(upstream, client));
            } catch (final IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void pump(final Socket from, final Socket to) {
        final byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (final IOException ignored) {
            // the other direction or cutAll() closed the pair
        } finally {
            reset(from);
            reset(to);
        }
    }

    /** Resets every proxied connection on both sides, without any MQTT packet. */
    public void cutAll() {
        for (final Socket s : sockets) {
            reset(s);
        }
    }

    private void reset(final Socket s) {
        sockets.remove(s);
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (final IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        cutAll();
        server.close();
        threads.shutdownNow();
    }
}
