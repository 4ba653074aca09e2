package org.openrtm.broker.coap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.broker.RtmBroker;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which UDP sockets the broker opens for CoAP (issue 18, item 2): with {@code --coap-port off --coaps-port off} none
 * at all (Californium's server would otherwise add a default endpoint on {@code *:5683}), and with CoAP on, only on
 * the configured host. The sockets are read from the kernel: this process's UDP sockets are the inodes under
 * {@code /proc/self/fd} that {@code /proc/self/net/udp} and {@code udp6} list.
 */
class CoapListenersIT {

    @TempDir
    Path dir;

    private RtmBroker broker(final String name, final int coapPort, final int coapsPort) throws IOException {
        return RtmBroker.builder().host("127.0.0.1").mqttPort(0).wsPort(-1).httpPort(-1)
                .coapPort(coapPort).coapsPort(coapsPort)
                .dataDir(dir.resolve(name)).env(Map.of("RTM_SECRET", EmbeddedBroker.SECRET)).build().start();
    }

    @Test
    void coapAndCoapsOff_openNoUdpSocket_andTwoSuchBrokersRunSideBySide() throws Exception {
        final Set<String> before = udpSockets().keySet();
        final RtmBroker first = broker("a", -1, -1);
        try {
            final Map<String, String> opened = udpSockets();
            opened.keySet().removeAll(before);
            assertThat(opened).as("UDP sockets opened by a broker with CoAP off").isEmpty();
            assertThat(first.coapPort()).isEqualTo(-1);
            assertThat(first.coapsPort()).isEqualTo(-1);
            final RtmBroker second = broker("b", -1, -1);
            second.stop();
        } finally {
            first.stop();
        }
    }

    @Test
    void coapOn_bindsOnlyTheConfiguredHost() throws Exception {
        final Set<String> before = udpSockets().keySet();
        final RtmBroker b = broker("c", 0, 0);
        try {
            final Map<String, String> opened = udpSockets();
            opened.keySet().removeAll(before);
            assertThat(opened.values()).as("UDP sockets the gateway opened")
                    .contains("127.0.0.1:" + b.coapPort(), "127.0.0.1:" + b.coapsPort())
                    .allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"));
        } finally {
            b.stop();
        }
    }

    /** This process's bound UDP sockets: inode to local address (IPv4 as {@code a.b.c.d:port}, IPv6 in hex). */
    static Map<String, String> udpSockets() throws IOException {
        final Set<String> mine = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (final Path fd : fds) {
                try {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        mine.add(target.substring(8, target.length() - 1));
                    }
                } catch (final IOException closedMeanwhile) {
                    // the descriptor was closed while listing
                }
            }
        }
        final Map<String, String> out = new java.util.HashMap<>();
        for (final String table : List.of("/proc/self/net/udp", "/proc/self/net/udp6")) {
            final List<String> lines = Files.readAllLines(Path.of(table));
            for (final String line : lines.subList(1, lines.size())) {
                final String[] f = line.trim().split("\\s+");
                final String inode = f[9];
                if (mine.contains(inode)) {
                    out.put(inode, address(f[1]));
                }
            }
        }
        return out;
    }

    private static String address(final String hex) {
        final String[] parts = hex.split(":");
        final int port = Integer.parseInt(parts[1], 16);
        final String host = parts[0];
        if (host.length() == 8) {
            return ipv4(host) + ":" + port;
        }
        // IPv6: four 32-bit words in host (little-endian) order; a v4-mapped address shows as the IPv4 address
        if (host.startsWith("0000000000000000FFFF0000")) {
            return ipv4(host.substring(24)) + ":" + port;
        }
        return (host.matches("0+") ? "[::]" : "[" + host + "]") + ":" + port;
    }

    private static String ipv4(final String word) {
        final long a = Long.parseLong(word, 16);
        return (a & 0xff) + "." + (a >> 8 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 24 & 0xff);
    }
}
