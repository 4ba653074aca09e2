package org.openrtm.sdk.internal;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IncomingTest {

    @Test
    void aStampedTextMessage_isReadWithItsIdTimeFormatAndOwnPropertiesInOrder() {
        final MqttMessage m = new MqttMessage("hi".getBytes(StandardCharsets.UTF_8));
        final MqttProperties props = new MqttProperties();
        props.setPayloadFormat(true);
        props.setContentType("text/plain");
        m.setProperties(props);
        final Map<String, String> up = new LinkedHashMap<>();
        up.put("z", "1");
        up.put("rtm-id", "01ABC");
        up.put("rtm-ts", "1700000000000");
        up.put("a", "2");

        final Incoming in = Incoming.of(m, up);

        assertThat(in.messageId).isEqualTo("01ABC");
        assertThat(in.serverTimeMillis).isEqualTo(1_700_000_000_000L);
        assertThat(in.payload).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(in.text).isTrue();
        assertThat(in.contentType).isEqualTo("text/plain");
        assertThat(in.properties).containsExactly(Map.entry("z", "1"), Map.entry("a", "2"));
    }

    @Test
    void aBareMessage_hasAnEmptyIdTimeZeroAndNoFormat() {
        final MqttMessage m = new MqttMessage(new byte[] {1, 2});
        final Incoming in = Incoming.of(m, Map.of("rtm-ts", "not a number"));

        assertThat(in.messageId).isEmpty();
        assertThat(in.serverTimeMillis).isZero();
        assertThat(in.text).isFalse();
        assertThat(in.contentType).isNull();
        assertThat(in.properties).isEmpty();
    }
}
