package org.openrtm.broker;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the {@code config.xml} HiveMQ reads its listeners from. Ports are written as literals: an unset
 * {@code ${VAR}} would make HiveMQ fall back to 0.0.0.0:1883.
 */
final class HiveMqConfig {

    private HiveMqConfig() {
    }

    /**
     * @param folder  where to write {@code config.xml}
     * @param host    the address to bind
     * @param mqtt    the MQTT TCP port
     * @param ws      the MQTT-over-WebSocket port, or -1 for none
     * @param inMemoryPersistence whether HiveMQ keeps sessions and retained messages in memory only
     */
    static void write(final @NotNull Path folder, final @NotNull String host, final int mqtt, final int ws,
                      final boolean inMemoryPersistence) throws IOException {
        write(folder, host, mqtt, ws, -1, -1, null, inMemoryPersistence);
    }

    /**
     * Writes the configuration with TLS listeners. With TLS the file holds the key store passwords: it is written
     * readable by its owner only (where the file system has POSIX permissions).
     *
     * @param tlsPort the MQTT-over-TLS port, or -1 for none
     * @param wssPort the secure WebSocket port, or -1 for none
     * @param tls     the key material, required when either TLS port is set
     */
    static void write(final @NotNull Path folder, final @NotNull String host, final int mqtt, final int ws,
                      final int tlsPort, final int wssPort, final @Nullable TlsConfig tls,
                      final boolean inMemoryPersistence) throws IOException {
        if ((tlsPort >= 0 || wssPort >= 0) && tls == null) {
            throw new IllegalArgumentException("a TLS listener needs a key store, but none was given");
        }
        Files.createDirectories(folder);
        final StringBuilder xml = new StringBuilder();
        xml.append("<?xml version=\"1.0\"?>\n<hivemq>\n    <listeners>\n");
        xml.append("        <tcp-listener>\n            <port>").append(mqtt).append("</port>\n")
                .append("            <bind-address>").append(escape(host)).append("</bind-address>\n")
                .append("        </tcp-listener>\n");
        if (ws >= 0) {
            xml.append("        <websocket-listener>\n            <port>").append(ws).append("</port>\n")
                    .append("            <bind-address>").append(escape(host)).append("</bind-address>\n")
                    .append("            <path>/mqtt</path>\n")
                    .append("            <name>websocket</name>\n")
                    .append("            <subprotocols><subprotocol>mqttv3.1</subprotocol><subprotocol>mqtt</subprotocol>"
                            + "</subprotocols>\n")
                    .append("            <allow-extensions>true</allow-extensions>\n")
                    .append("        </websocket-listener>\n");
        }
        if (tlsPort >= 0) {
            xml.append("        <tls-tcp-listener>\n            <port>").append(tlsPort).append("</port>\n")
                    .append("            <bind-address>").append(escape(host)).append("</bind-address>\n")
                    .append("            <name>tls</name>\n");
            appendTls(xml, tls);
            xml.append("        </tls-tcp-listener>\n");
        }
        if (wssPort >= 0) {
            xml.append("        <tls-websocket-listener>\n            <port>").append(wssPort).append("</port>\n")
                    .append("            <bind-address>").append(escape(host)).append("</bind-address>\n")
                    .append("            <path>/mqtt</path>\n")
                    .append("            <name>websocket-tls</name>\n")
                    .append("            <subprotocols><subprotocol>mqttv3.1</subprotocol><subprotocol>mqtt</subprotocol>"
                            + "</subprotocols>\n")
                    .append("            <allow-extensions>true</allow-extensions>\n");
            appendTls(xml, tls);
            xml.append("        </tls-websocket-listener>\n");
        }
        xml.append("    </listeners>\n");
        xml.append("    <persistence>\n        <mode>").append(inMemoryPersistence ? "in-memory" : "file")
                .append("</mode>\n    </persistence>\n");
        xml.append("    <anonymous-usage-statistics>\n        <enabled>false</enabled>\n    </anonymous-usage-statistics>\n");
        xml.append("</hivemq>\n");
        final Path file = folder.resolve("config.xml");
        Files.deleteIfExists(file);
        if (tls != null && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, xml.toString(), StandardCharsets.UTF_8);
    }

    private static void appendTls(final StringBuilder xml, final TlsConfig tls) {
        xml.append("            <tls>\n")
                .append("                <keystore>\n")
                .append("                    <path>").append(escape(tls.keyStore().toAbsolutePath().toString()))
                .append("</path>\n")
                .append("                    <password>").append(escape(tls.keyStorePassword())).append("</password>\n")
                .append("                    <private-key-password>").append(escape(tls.keyPassword()))
                .append("</private-key-password>\n")
                .append("                </keystore>\n");
        if (tls.trustStore() != null) {
            xml.append("                <truststore>\n")
                    .append("                    <path>").append(escape(tls.trustStore().toAbsolutePath().toString()))
                    .append("</path>\n")
                    .append("                    <password>").append(escape(String.valueOf(tls.trustStorePassword())))
                    .append("</password>\n")
                    .append("                </truststore>\n");
        }
        xml.append("                <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>\n")
                .append("                <client-authentication-mode>").append(tls.clientAuth().name())
                .append("</client-authentication-mode>\n")
                .append("            </tls>\n");
    }

    private static String escape(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
