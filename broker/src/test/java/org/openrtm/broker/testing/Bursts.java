package org.openrtm.broker.testing;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Helpers of the burst tests (many senders to one slow recipient): payloads {@code SENDER:N}, the PUBACK's status, a
 * reader that takes its time, and the check that each sender's messages arrived once and in order.
 */
public final class Bursts {

    private Bursts() {
    }

    /** The payload of message {@code n} of {@code sender}. */
    public static byte[] payload(final String sender, final int n) {
        return (sender + ":" + n).getBytes(StandardCharsets.UTF_8);
    }

    /** The PUBACK's {@code rtm-status}, or {@code none}. */
    public static String status(final Mqtt5PublishResult result) {
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getUserProperties().asList().stream()
                .filter(p -> p.getName().toString().equals("rtm-status")).map(p -> p.getValue().toString())
                .findFirst().orElse("none");
    }

    /** Keeps the calling (client callback) thread busy for {@code millis}: a reader slower than its senders. */
    public static void readSlowly(final long millis) {
        final long until = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** Every sender's messages, in the order received, are 0, 1, 2, ...: none missing between, none twice. */
    public static void assertEachSendersOrder(final Iterable<Mqtt5Publish> received) {
        final Map<String, Integer> next = new HashMap<>();
        for (final Mqtt5Publish p : received) {
            final String[] parts = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).split(":");
            final int expected = next.getOrDefault(parts[0], 0);
            assertThat(Integer.parseInt(parts[1])).as("message of %s", parts[0]).isEqualTo(expected);
            next.put(parts[0], expected + 1);
        }
    }
}
