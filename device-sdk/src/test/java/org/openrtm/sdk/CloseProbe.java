package org.openrtm.sdk;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A program that ends right after {@link RtmClient#close()}, like the README's quick start: logs in, joins a
 * channel, prints {@code joined}, closes, prints {@code closed} and halts the JVM at once (no shutdown hooks, no
 * thread left to finish its work), so that only what {@code close()} did before returning reaches the server.
 *
 * <p>Arguments: server URI, uid, token, channel.
 */
public final class CloseProbe {

    private CloseProbe() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        final RtmClient client = RtmClient.builder().serverUri(args[0]).uid(args[1]).token(args[2]).build();
        client.login().get(10, TimeUnit.SECONDS);
        client.channels().join(args[3]).get(10, TimeUnit.SECONDS);
        out.println("joined");
        client.close();
        out.println("closed");
        Runtime.getRuntime().halt(0);
    }
}
