package org.openrtm.sdk;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures the heap of idle logged-in clients in a JVM of its own (the broker's objects must not count): logs in
 * and out once to load every class, takes the live heap after full GCs, logs in N clients, waits, and takes it
 * again. Prints {@code clients=N baselineBytes=... loadedBytes=... perClientBytes=... threadsPerClient=...}.
 *
 * <p>Arguments: server URI, then one {@code uid=token} per client (the first one is also used for the warm-up).
 */
public final class FootprintProbe {

    private FootprintProbe() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        final String uri = args[0];
        final List<String[]> users = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            users.add(args[i].split("=", 2));
        }
        try (RtmClient warm = client(uri, users.get(0))) {
            warm.login().get(10, TimeUnit.SECONDS);
            warm.serverInfo().get(10, TimeUnit.SECONDS);
            warm.logout().get(10, TimeUnit.SECONDS);
        }
        final long baseline = liveHeap();
        final int baseThreads = Thread.activeCount();
        final List<RtmClient> clients = new ArrayList<>();
        for (final String[] u : users) {
            final RtmClient c = client(uri, u);
            c.login().get(10, TimeUnit.SECONDS);
            clients.add(c);
        }
        final long loaded = liveHeap();
        final int threads = Thread.activeCount() - baseThreads;
        out.println("clients=" + clients.size() + " baselineBytes=" + baseline + " loadedBytes=" + loaded
                + " perClientBytes=" + (loaded - baseline) / clients.size()
                + " threadsPerClient=" + (double) threads / clients.size());
        for (final RtmClient c : clients) {
            c.logout().get(10, TimeUnit.SECONDS);
            c.close();
        }
    }

    private static RtmClient client(final String uri, final String[] user) {
        return RtmClient.builder().serverUri(uri).uid(user[0]).token(user[1]).build();
    }

    private static long liveHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
