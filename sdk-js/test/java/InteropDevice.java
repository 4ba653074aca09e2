import org.openrtm.sdk.PeerListener;
import org.openrtm.sdk.PeerMessage;
import org.openrtm.sdk.RtmClient;
import org.openrtm.sdk.SendOptions;
import org.openrtm.sdk.SendResult;
import org.openrtm.sdk.channel.ChannelListener;
import org.openrtm.sdk.channel.ChannelMessage;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A device on the Java SDK for the JS SDK's interop test (run with the source launcher:
 * {@code java -cp <sdk classpath> InteropDevice.java URI UID TOKEN CHANNEL}, the token on standard input is not
 * needed). It answers every peer message with "echo: <text>" (awaiting the receipt, which asks for one), repeats
 * every channel message into the channel as "seen: <text>", prints READY once logged in and joined, and stops when
 * its standard input closes.
 */
public final class InteropDevice {
    public static void main(final String[] args) throws Exception {
        final String uri = args[0];
        final String uid = args[1];
        final String token = args[2];
        final String channel = args[3];
        final RtmClient[] self = new RtmClient[1];
        final RtmClient device = RtmClient.builder()
                .serverUri(uri).uid(uid).token(token)
                .peerListener(new PeerListener() {
                    @Override
                    public void onMessage(final PeerMessage m) {
                        self[0].peer().send(m.from(), "echo: " + m.text(), SendOptions.builder().receipt(true).build())
                                .thenCompose(SendResult::receipt)
                                .thenAccept(r -> System.out.println("RECEIPT " + r.to()))
                                .exceptionally(e -> {
                                    System.out.println("FAILED " + e);
                                    return null;
                                });
                    }
                })
                .channelListener(new ChannelListener() {
                    @Override
                    public void onMessage(final ChannelMessage m) {
                        self[0].channels().send(m.channel(), "seen: " + m.text());
                    }
                })
                .build();
        self[0] = device;
        device.login().join();
        device.channels().join(channel).join();
        System.out.println("READY");
        System.out.flush();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // wait for the test to close standard input
        }
        device.close();
    }
}
