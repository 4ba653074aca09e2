package org.openrtm.broker.testing;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for {@code mosquitto_pub} / {@code mosquitto_sub} where they are not installed, so that the README's
 * quick start runs as written. Supports the options the README uses: -V mqttv5, -h, -p, -i, -u, -P, -t, -q, -m, -D
 * PUBLISH user-property, -F (%t %p), -C, -v. First argument: {@code pub} or {@code sub}.
 */
public final class MosquittoShim {

    private MosquittoShim() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final boolean pub = args[0].equals("pub");
        String host = "localhost";
        int port = 1883;
        String id = null;
        String password = null;
        String user = null;
        final List<String> topics = new ArrayList<>();
        int qos = 0;
        String message = null;
        String format = null;
        int count = 0;
        final var props = Mqtt5UserProperties.builder();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "-V":
                    i++;
                    break;
                case "-h":
                    host = args[++i];
                    break;
                case "-p":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "-i":
                    id = args[++i];
                    break;
                case "-u":
                    user = args[++i];
                    break;
                case "-P":
                    password = args[++i];
                    break;
                case "-t":
                    topics.add(args[++i]);
                    break;
                case "-q":
                    qos = Integer.parseInt(args[++i]);
                    break;
                case "-m":
                    message = args[++i];
                    break;
                case "-F":
                    format = args[++i];
                    break;
                case "-v":
                    format = "%t %p";
                    break;
                case "-C":
                    count = Integer.parseInt(args[++i]);
                    break;
                case "-D":
                    // -D PUBLISH user-property NAME VALUE
                    props.add(args[i + 3], args[i + 4]);
                    i += 4;
                    break;
                default:
                    throw new IllegalArgumentException("the shim does not support " + args[i]);
            }
        }
        final Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost(host)
                .serverPort(port).buildBlocking();
        final var connect = c.connectWith().simpleAuth();
        if (user != null) {
            connect.username(user);
        }
        connect.password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        if (pub) {
            c.publish(Mqtt5Publish.builder().topic(topics.get(0)).qos(MqttQos.fromCode(qos))
                    .payload(message.getBytes(StandardCharsets.UTF_8)).userProperties(props.build()).build());
            c.disconnect();
            return;
        }
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = c.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            for (final String t : topics) {
                c.subscribeWith().topicFilter(t).qos(MqttQos.fromCode(qos)).send();
            }
            int received = 0;
            while (count == 0 || received < count) {
                final var p = publishes.receive(60, TimeUnit.SECONDS);
                if (p.isEmpty()) {
                    break;
                }
                final String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
                final String f = format == null ? "%p" : format;
                out.println(f.replace("%t", p.get().getTopic().toString()).replace("%p", payload));
                received++;
            }
        }
        c.disconnect();
    }
}
