package org.openrtm.broker;

import org.jetbrains.annotations.NotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
        xml.append("    </listeners>\n");
        xml.append("    <persistence>\n        <mode>").append(inMemoryPersistence ? "in-memory" : "file")
                .append("</mode>\n    </persistence>\n");
        xml.append("    <anonymous-usage-statistics>\n        <enabled>false</enabled>\n    </anonymous-usage-statistics>\n");
        xml.append("</hivemq>\n");
        Files.writeString(folder.resolve("config.xml"), xml.toString(), StandardCharsets.UTF_8);
    }

    private static String escape(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
