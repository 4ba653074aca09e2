package org.openrtm.bench.broker;

import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import org.openrtm.broker.RtmBroker;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The main class of a broker child process: HiveMQ CE with the OpenRTM extension ({@code --kind rtm}), without it
 * ({@code --kind hivemq}), or with {@link NoOpInterceptors} ({@code --kind noop}), bound to 127.0.0.1.
 *
 * <pre>
 * java -cp rtm-bench.jar org.openrtm.bench.broker.BrokerChild --kind rtm|hivemq|noop --data DIR [--port N] [--setting k=v]...
 *     [--coap-setting k=v]...
 * </pre>
 *
 * <p>OpenRTM ({@code rtm}) runs its CoAP gateway on a free UDP port (no CoAPS); {@code --coap-setting} passes gateway
 * settings (gateway-coap/README.md). The token secret comes from {@code RTM_SECRET} in the environment. The child speaks
 * a line protocol with its parent: on stdout it prints {@code RTMBENCH READY <mqtt port> <coap port or -1>} once
 * started; on stdin it accepts {@code HEAP} (answered with {@code RTMBENCH HEAP <used> <committed>}), {@code GC} (a
 * full collection, then the same answer) and {@code STOP}. End of stdin also stops it, so a child never outlives a
 * generator that died. Logs go to stderr.
 */
public final class BrokerChild {

    /** Prefix of every line the child prints for its parent. */
    static final String PREFIX = "RTMBENCH ";

    private BrokerChild() {
    }

    /**
     * Runs the broker until told to stop.
     *
     * @param args see the class comment
     * @throws Exception if the broker cannot start (the process exits non-zero)
     */
    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final RtmBroker.Builder b = RtmBroker.builder().host("127.0.0.1").wsPort(-1).mqttPort(0)
                .coapPort(0).coapsPort(-1);
        String kind = null;
        for (int i = 0; i < args.length; i++) {
            final String opt = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(opt + " needs a value");
            }
            final String v = args[++i];
            switch (opt) {
                case "--kind":
                    kind = v;
                    break;
                case "--port":
                    b.mqttPort(Integer.parseInt(v));
                    break;
                case "--data":
                    b.dataDir(Path.of(v));
                    break;
                case "--setting":
                    final int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--setting must be key=value, but was '" + v + "'");
                    }
                    b.setting(v.substring(0, eq), v.substring(eq + 1));
                    break;
                case "--coap-setting":
                    final int ceq = v.indexOf('=');
                    if (ceq <= 0) {
                        throw new IllegalArgumentException("--coap-setting must be key=value, but was '" + v + "'");
                    }
                    b.coapSetting(v.substring(0, ceq), v.substring(ceq + 1));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + opt + "'");
            }
        }
        // no HTTP listener (its fixed default port would collide between runs); CoAP on a free port, set above
        b.httpPort(-1);
        if ("hivemq".equals(kind)) {
            b.withoutExtension();
        } else if ("noop".equals(kind)) {
            b.withoutExtension().otherExtension(new NoOpInterceptors());
        } else if (!"rtm".equals(kind)) {
            throw new IllegalArgumentException("--kind must be rtm, hivemq or noop, but was '" + kind + "'");
        }
        final RtmBroker broker = b.build().start();
        out.println(PREFIX + "READY " + broker.mqttPort() + " " + broker.coapPort());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            serve(in, out);
        } finally {
            broker.stop();
            out.println(PREFIX + "STOPPED");
        }
        System.exit(0);
    }

    private static void serve(final BufferedReader in, final PrintStream out) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "HEAP":
                    out.println(PREFIX + heap());
                    break;
                case "GC":
                    System.gc();
                    System.gc();
                    out.println(PREFIX + heap());
                    break;
                case "STOP":
                    return;
                default:
                    if (line.startsWith("SUBS ")) {
                        out.println(PREFIX + subscriptions(line.substring(5).trim()));
                        break;
                    }
                    out.println(PREFIX + "ERROR unknown command");
                    break;
            }
        }
    }

    /**
     * A diagnostic for a member that missed messages: the client's subscriptions as HiveMQ's subscription store holds
     * them ({@code SUBS <client> <filter> <filter> ...}, or {@code SUBS <client> ERROR <why>}).
     */
    private static String subscriptions(final String clientId) {
        try {
            final StringBuilder b = new StringBuilder("SUBS ").append(clientId);
            for (final TopicSubscription s : Services.subscriptionStore().getSubscriptions(clientId)
                    .get(10, TimeUnit.SECONDS)) {
                b.append(' ').append(s.getTopicFilter());
            }
            return b.toString();
        } catch (final Exception | LinkageError e) {
            return "SUBS " + clientId + " ERROR " + e;
        }
    }

    private static String heap() {
        final MemoryUsage u = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return "HEAP " + u.getUsed() + " " + u.getCommitted();
    }
}
