package org.openrtm.broker.install;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.broker.RtmBroker;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.BlockingQueue;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * Installs the built extension zip into the extensions folder of a HiveMQ that runs in its own JVM without OpenRTM on
 * its classpath (as a real installation), and proves that HiveMQ's own loader (isolated classloader, shaded jar,
 * descriptor) starts it and that peer messaging works through it.
 */
class ExtensionZipIT {

    private static final String SECRET = "zip-install-secret-0123456789-0123456789";

    @TempDir
    Path dir;

    @Test
    void builtZip_isLoadedByHiveMq_andServesPeerMessages() throws Exception {
        final Path zip = Path.of(System.getProperty("rtm.extension.zip"));
        assertThat(zip).exists();
        final Path extensions = dir.resolve("extensions");
        unzip(zip, extensions);
        final Path home = extensions.resolve("openrtm-extension");
        assertThat(home.resolve("hivemq-extension.xml")).exists();
        assertThat(home.resolve("conf/rtm.properties")).exists();
        try (var jars = Files.list(home)) {
            assertThat(jars.filter(p -> p.toString().endsWith(".jar")).count()).isEqualTo(1);
        }
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve("data/secret"), SECRET, StandardCharsets.UTF_8);

        final int port = RtmBroker.freePort();
        final Process hivemq = startPlainHiveMq(dir.resolve("hivemq"), extensions, port);
        try {
            assertThat(home.resolve("DISABLED")).doesNotExist();
            assertThat(home.resolve("data/store/rtm-a.db")).exists();
            assertThat(home.resolve("data/store/rtm-b.db")).exists();

            final Tokens tokens = new Tokens(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO);
            final Mqtt5BlockingClient bob = client(port, "bob", tokens);
            final BlockingQueue<Mqtt5Publish> inbox = subscribe(bob, "rtm/user/bob/inbox/+");
            final Mqtt5BlockingClient alice = client(port, "alice", tokens);
            final var ack = publish(alice, "rtm/user/bob/inbox/alice", "via the zip");
            assertThat(prop(ack, "rtm-status")).isEqualTo("delivered");
            final Mqtt5Publish got = next(inbox);
            assertThat(text(got)).isEqualTo("via the zip");
            assertThat(prop(got, "rtm-id")).isEqualTo(prop(ack, "rtm-id"));
            // the extension refuses what the protocol forbids, also when installed from the zip
            assertThat(prop(publish(alice, "rtm/user/bob/inbox/mallory", "spoof"), "rtm-status")).isEqualTo("forbidden");
            alice.disconnect();
            bob.disconnect();
        } finally {
            hivemq.destroyForcibly();
            hivemq.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts HiveMQ in its own JVM whose classpath has HiveMQ but not OpenRTM, and waits until it listens. */
    private static Process startPlainHiveMq(final Path data, final Path extensions, final int port) throws Exception {
        final String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("rtm-extension") && !e.contains("extension" + File.separator + "target")
                        && !e.contains("rtm-protocol") && !e.contains("protocol" + File.separator + "target")
                        && !(e.contains("broker" + File.separator + "target" + File.separator + "classes")))
                .collect(Collectors.joining(File.pathSeparator));
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process p = new ProcessBuilder(java, "-cp", classpath, PlainHiveMqMain.class.getName(), data.toString(),
                extensions.toString(), Integer.toString(port)).redirectErrorStream(true).start();
        final BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        final CompletableFuture<Void> ready = CompletableFuture.runAsync(() -> {
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("READY")) {
                        return;
                    }
                }
                throw new IllegalStateException("HiveMQ exited before it was ready");
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ready.get(90, TimeUnit.SECONDS);
        // keep draining its output so that it never blocks on a full pipe
        CompletableFuture.runAsync(() -> r.lines().forEach(line -> { }));
        return p;
    }


    private static Mqtt5BlockingClient client(final int port, final String uid, final Tokens tokens) {
        final Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(uid).serverHost("127.0.0.1")
                .serverPort(port).buildBlocking();
        c.connectWith().simpleAuth().password(tokens.mint(uid, Role.USER, Duration.ofMinutes(5))
                .getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        return c;
    }

    private static void unzip(final Path zip, final Path target) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                final Path out = target.resolve(e.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("zip entry outside target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(z, out);
                }
            }
        }
    }
}
