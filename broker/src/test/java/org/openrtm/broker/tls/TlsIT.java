package org.openrtm.broker.tls;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.MainAccess;
import org.openrtm.broker.TlsConfig;
import org.openrtm.broker.testing.EmbeddedBroker;

import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.next;
import static org.openrtm.broker.testing.Clients.prop;
import static org.openrtm.broker.testing.Clients.publish;
import static org.openrtm.broker.testing.Clients.subscribe;
import static org.openrtm.broker.testing.Clients.text;

/**
 * MQTT over TLS and over secure WebSocket, with a key store made at test time by {@code keytool} (the commands
 * docs/reliability.md gives), and the TLS options of the command line.
 */
class TlsIT {

    private static final String PASSWORD = "test-keystore-password";
    private static final Path DIR = tempDir();
    private static final Path KEYSTORE = DIR.resolve("server.p12");
    private static final Path TRUSTSTORE = DIR.resolve("clients-trust.p12");

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withTls(() -> {
        makeKeys();
        return TlsConfig.of(KEYSTORE, PASSWORD);
    });

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("rtm-tls-");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A self-signed server certificate for 127.0.0.1 and localhost, and a trust store holding it for the clients. */
    private static void makeKeys() {
        keytool("-genkeypair", "-alias", "rtm", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", KEYSTORE.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "rtm", "-keystore", KEYSTORE.toString(), "-storepass", PASSWORD,
                "-file", DIR.resolve("server.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "rtm-server", "-file", DIR.resolve("server.pem").toString(),
                "-storetype", "PKCS12", "-keystore", TRUSTSTORE.toString(), "-storepass", PASSWORD);
    }

    private static void keytool(final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        try {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void deleteKeys() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static MqttClientSslConfig trusting() throws Exception {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(TRUSTSTORE)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return MqttClientSslConfig.builder().trustManagerFactory(tmf).build();
    }

    private static Mqtt5BlockingClient login(final Mqtt5BlockingClient c, final String uid) {
        c.connectWith().simpleAuth().password(broker.token(uid).getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        return c;
    }

    @Test
    void mqttOverTls_carriesPeerMessages() throws Exception {
        final Mqtt5BlockingClient bob = connect(broker, "tls-bob");
        final BlockingQueue<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> inbox =
                subscribe(bob, "rtm/user/tls-bob/inbox/+");
        final Mqtt5BlockingClient alice = login(MqttClient.builder().useMqttVersion5().identifier("tls-alice")
                .serverHost("127.0.0.1").serverPort(broker.tlsPort()).sslConfig(trusting()).buildBlocking(), "tls-alice");
        assertThat(prop(publish(alice, "rtm/user/tls-bob/inbox/tls-alice", "over tls"), "rtm-status"))
                .isEqualTo("delivered");
        assertThat(text(next(inbox))).isEqualTo("over tls");
        alice.disconnect();
        bob.disconnect();
    }

    @Test
    void secureWebSocket_carriesPeerMessages() throws Exception {
        final Mqtt5BlockingClient carol = login(MqttClient.builder().useMqttVersion5().identifier("wss-carol")
                .serverHost("127.0.0.1").serverPort(broker.wssPort()).sslConfig(trusting())
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking(), "wss-carol");
        final var inbox = subscribe(carol, "rtm/user/wss-carol/inbox/+");
        final Mqtt5BlockingClient dave = connect(broker, "wss-dave");
        assertThat(prop(publish(dave, "rtm/user/wss-carol/inbox/wss-dave", "over wss"), "rtm-status"))
                .isEqualTo("delivered");
        assertThat(text(next(inbox))).isEqualTo("over wss");
        carol.disconnect();
        dave.disconnect();
    }

    @Test
    void clientThatDoesNotTrustTheCertificate_andPlainMqttOnTheTlsPort_areRefused() {
        final Mqtt5BlockingClient untrusting = MqttClient.builder().useMqttVersion5().identifier("tls-eve")
                .serverHost("127.0.0.1").serverPort(broker.tlsPort()).sslWithDefaultConfig().buildBlocking();
        assertThat(catchThrowable(() -> login(untrusting, "tls-eve"))).isNotNull();
        assertThat(untrusting.getState().isConnected()).isFalse();
        final Mqtt5BlockingClient plain = MqttClient.builder().useMqttVersion5().identifier("tls-mallory")
                .serverHost("127.0.0.1").serverPort(broker.tlsPort()).buildBlocking();
        assertThat(catchThrowable(() -> login(plain, "tls-mallory"))).isNotNull();
        assertThat(plain.getState().isConnected()).isFalse();
    }

    @Test
    void commandLine_refusesTlsWithoutKeysOrPassword() {
        assertThat(cli(Map.of(), "--tls-port", "18883")).contains("--tls-port and --wss-port need --tls-keystore FILE");
        assertThat(cli(Map.of(), "--tls-port", "18883", "--tls-keystore", KEYSTORE.toString()))
                .contains("RTM_TLS_KEYSTORE_PASSWORD is not set");
        assertThat(cli(Map.of(), "--tls-port", "18883", "--tls-keystore", DIR.resolve("missing.p12").toString()))
                .contains("does not exist");
        assertThat(cli(Map.of("RTM_TLS_KEYSTORE_PASSWORD", PASSWORD), "--tls-port", "18883", "--tls-keystore",
                KEYSTORE.toString(), "--tls-client-auth", "required")).contains("needs --tls-truststore FILE");
        assertThat(cli(Map.of(), "--tls-port", "18883", "--tls-keystore", KEYSTORE.toString(), "--tls-client-auth",
                "maybe")).contains("must be none, optional or required, but was 'maybe'");
        assertThat(cli(Map.of(), "--coaps-keystore-password-env", "NOPE")).contains("NOPE is not set");
    }

    private static String cli(final Map<String, String> env, final String... args) {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = MainAccess.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        assertThat(code).as("exit code of " + String.join(" ", args)).isEqualTo(2);
        final String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(PASSWORD);
        return text;
    }
}
