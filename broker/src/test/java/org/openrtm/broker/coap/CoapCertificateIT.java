package org.openrtm.broker.coap;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** CoAPS with X.509 certificates (the option beside pre-shared keys): the certificate's CN is the device's uid. */
class CoapCertificateIT {

    private static final String PASSWORD = "changeit";
    private static final Path DIR = certificates();

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.withCoap(Map.of(), Map.of(
            "coaps.key-store", DIR.resolve("gateway.p12").toString(),
            "coaps.key-store-password", PASSWORD,
            "coaps.trust-store", DIR.resolve("trust.p12").toString(),
            "coaps.trust-store-password", PASSWORD));

    /** A gateway key pair, a device key pair (CN=meter-c) and a trust store with the device's certificate. */
    private static Path certificates() {
        try {
            final Path dir = Files.createTempDirectory("rtm-coap-certs-");
            dir.toFile().deleteOnExit();
            keytool(dir, "-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gateway",
                    "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", "gateway.p12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool(dir, "-genkeypair", "-alias", "device", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=meter-c",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", "device.p12", "-storepass", PASSWORD, "-keypass",
                    PASSWORD);
            keytool(dir, "-exportcert", "-alias", "device", "-keystore", "device.p12", "-storepass", PASSWORD, "-file",
                    "device.cer");
            keytool(dir, "-importcert", "-noprompt", "-alias", "device", "-file", "device.cer", "-storetype", "PKCS12",
                    "-keystore", "trust.p12", "-storepass", PASSWORD);
            return dir;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(final Path dir, final String... args) throws IOException {
        final List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(Arrays.asList(args));
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            final String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + out);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static KeyStore load(final String name) throws Exception {
        try (InputStream in = Files.newInputStream(DIR.resolve(name))) {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        }
    }

    @Test
    void deviceWithACertificate_logsInAsItsCommonName_andOnlyAsThat() throws Exception {
        final KeyStore device = load("device.p12");
        final Certificate[] chain = device.getCertificateChain("device");
        final PrivateKey key = (PrivateKey) device.getKey("device", PASSWORD.toCharArray());
        final X509Certificate gatewayCert = (X509Certificate) load("gateway.p12").getCertificate("gateway");
        final Configuration c = CoapDevice.config();
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        final DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(c)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(key,
                        Arrays.copyOf(chain, chain.length, X509Certificate[].class), CertificateType.X_509))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedCertificates(gatewayCert).build())
                .build();
        final CoapEndpoint endpoint = CoapEndpoint.builder().setConfiguration(c).setConnector(new DTLSConnector(dtls)).build();
        endpoint.start();
        final CoapClient client = new CoapClient().setEndpoint(endpoint).setTimeout(10_000L);
        try {
            final String base = "coaps://127.0.0.1:" + broker.coapsPort();
            final Request other = Request.newPost();
            other.setURI(base + "/session?u=someone-else");
            other.setPayload(broker.token("someone-else"));
            final CoapResponse refused = client.advanced(other);
            assertThat(refused.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(refused.getResponseText()).contains("'meter-c'");

            final Request login = Request.newPost();
            login.setURI(base + "/session");
            login.setPayload(broker.token("meter-c"));
            final CoapResponse ok = client.advanced(login);
            assertThat(ok.getCode()).as(ok.getResponseText()).isEqualTo(ResponseCode.CREATED);
            final Request send = Request.newPost();
            send.setURI(base + "/rtm/user/nobody-c/inbox");
            send.setPayload("reading");
            assertThat(client.advanced(send).getCode()).as("over DTLS the certificate names the session")
                    .isEqualTo(ResponseCode.CREATED);
        } finally {
            client.shutdown();
            endpoint.destroy();
        }
    }
}
