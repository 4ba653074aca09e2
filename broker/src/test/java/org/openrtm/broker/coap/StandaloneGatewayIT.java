package org.openrtm.broker.coap;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.Clients;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.extension.session.Connection;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The standalone gateway jar, as its own process, in front of a broker that runs without the embedded gateway. */
class StandaloneGatewayIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    @Test
    void standaloneJar_connectsDevicesToAnyBrokerWithTheExtension() throws Exception {
        final Path jar = Path.of(System.getProperty("rtm.project.root"), "gateway-coap", "target", "rtm-gateway.jar");
        assertThat(jar).exists();
        final int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString(), "--mqtt", "tcp://127.0.0.1:" + broker.port(),
                "--coap-port", Integer.toString(port), "--coaps-port", "off").redirectErrorStream(true);
        pb.environment().put("RTM_SECRET", EmbeddedBroker.SECRET);
        final Process gateway = pb.start();
        final List<String> log = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> listening = new CompletableFuture<>();
        final Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                    if (line.contains("coap://127.0.0.1:" + port)) {
                        listening.complete(null);
                    }
                }
                listening.completeExceptionally(new AssertionError("gateway exited: " + log));
            } catch (final IOException e) {
                listening.completeExceptionally(e);
            }
        }, "gateway-log");
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(30, TimeUnit.SECONDS);
            final Mqtt5BlockingClient bob = Clients.connect(broker, "bob-s");
            final BlockingQueue<Mqtt5Publish> inbox = Clients.subscribe(bob, "rtm/user/bob-s/inbox/+");
            try (CoapDevice d = CoapDevice.udp(port)) {
                assertThat(d.login("meter-s", broker.token("meter-s")).getCode()).isEqualTo(ResponseCode.CREATED);
                final Connection c = broker.broker().runtime().sessions().current("meter-s");
                assertThat(c).isNotNull();
                assertThat(c.via()).isEqualTo(Connection.Via.COAP);
                assertThat(d.post("/rtm/user/bob-s/inbox", "42 kWh").getCode()).isEqualTo(ResponseCode.CHANGED);
                assertThat(Clients.text(Clients.next(inbox))).isEqualTo("42 kWh");
            }
            bob.disconnect();
        } finally {
            assertThat(gateway.isAlive()).as("still running before SIGTERM: %s", log).isTrue();
            gateway.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the output we still read
            final boolean stopped = gateway.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                        Long.toString(gateway.pid())).redirectOutput(Path.of("target", "gateway-jstack.txt").toFile())
                        .start().waitFor(20, TimeUnit.SECONDS);
                gateway.destroyForcibly();
            }
            assertThat(stopped).as("the gateway stops on SIGTERM: %s", log).isTrue();
        }
        reader.join(5000);
        assertThat(log).as("clean stop (exit %s)", gateway.exitValue()).anyMatch(l -> l.contains("Stopped"));
    }
}
