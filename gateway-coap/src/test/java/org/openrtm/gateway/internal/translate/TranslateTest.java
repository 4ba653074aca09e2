package org.openrtm.gateway.internal.translate;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.openrtm.protocol.Props;
import org.openrtm.protocol.TopicFamily;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TranslateTest {

    @Test
    void publishTopic_mirrorsThePath_andFillsTheDeviceAsSender() {
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", "bob", "inbox"), "plug").topic())
                .isEqualTo("rtm/user/bob/inbox/plug");
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", "bob", "inbox", "eve"), "plug").topic())
                .as("a spoofed sender goes to the server, which refuses it").isEqualTo("rtm/user/bob/inbox/eve");
        assertThat(CoapTopics.publishTopic(List.of("rtm", "channel", "kitchen", "msg"), "plug").topic())
                .isEqualTo("rtm/channel/kitchen/msg/plug");
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", "plug", "attr", "fw"), "plug").family())
                .isEqualTo(TopicFamily.USER_ATTR);
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", "b b", "inbox"), "plug").error()).contains("uid must be");
        assertThat(CoapTopics.publishTopic(List.of("rtm", "user", "+", "inbox"), "plug").error()).contains("must not contain");
        assertThat(CoapTopics.publishTopic(List.of("mqtt", "x"), "plug").error()).contains("must start with /rtm");
    }

    @Test
    void filter_completesFamiliesWithASubLevel() {
        assertThat(CoapTopics.filter(List.of("rtm", "user", "plug", "inbox")).topic()).isEqualTo("rtm/user/plug/inbox/+");
        assertThat(CoapTopics.filter(List.of("rtm", "user", "plug", "inbox")).family()).isEqualTo(TopicFamily.INBOX);
        assertThat(CoapTopics.filter(List.of("rtm", "user", "plug", "event")).topic()).isEqualTo("rtm/user/plug/event");
        assertThat(CoapTopics.filter(List.of("rtm", "user", "bob", "presence")).family()).isEqualTo(TopicFamily.PRESENCE);
        assertThat(CoapTopics.filter(List.of("rtm", "channel", "c1", "msg", "+")).topic()).isEqualTo("rtm/channel/c1/msg/+");
        assertThat(CoapTopics.filter(List.of("rtm", "nothing", "here")).ok()).isFalse();
    }

    @Test
    void puback_mapsToTheProtocolsCoapCodes() {
        assertThat(Outcome.ofPuback(0, "delivered", null, "ID1", false, false))
                .isEqualTo(Outcome.of(ResponseCode.CHANGED, "ID1"));
        assertThat(Outcome.ofPuback(0, "cached", "cached", "ID2", false, false).code()).isEqualTo(ResponseCode.CREATED);
        assertThat(Outcome.ofPuback(0x10, "unreachable", null, null, false, false).code()).isEqualTo(ResponseCode.NOT_FOUND);
        assertThat(Outcome.ofPuback(0x87, "forbidden", "no", null, false, false))
                .isEqualTo(Outcome.of(ResponseCode.FORBIDDEN, "no"));
        assertThat(Outcome.ofPuback(0x97, "too_large", "big", null, false, false).code())
                .isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        final Outcome rate = Outcome.ofPuback(0x97, "rate_limited", "rate limit is 100 ...; retry in 3 s", null, false, false);
        assertThat(rate.code()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
        assertThat(rate.maxAge()).isEqualTo(3);
        assertThat(Outcome.ofPuback(0x99, "invalid", "bad", null, false, false).code()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(Outcome.ofPuback(0x90, "invalid", "bad", null, false, false).code()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(Outcome.ofPuback(0x83, "conflict", "rev", null, true, false).code())
                .isEqualTo(ResponseCode.PRECONDITION_FAILED);
        assertThat(Outcome.ofPuback(0x80, "internal", "disk", null, false, false).code())
                .isEqualTo(ResponseCode.INTERNAL_SERVER_ERROR);
        assertThat(Outcome.ofPuback(0, "delivered", null, "ID3", true, true).code()).isEqualTo(ResponseCode.DELETED);
        assertThat(Outcome.ofPuback(0, null, null, null, false, false).code()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void connackAndSuback_mapToAuthCodes() {
        assertThat(Outcome.ofConnack(0x86, "bad").code()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(Outcome.ofConnack(0x87, "expired").code()).isEqualTo(ResponseCode.UNAUTHORIZED);
        assertThat(Outcome.ofConnack(0x85, "uid").code()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(Outcome.ofSuback(0x01, null)).isNull();
        assertThat(Outcome.ofSuback(0x87, "no").code()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(Outcome.ofSuback(0x8F, "bad").code()).isEqualTo(ResponseCode.BAD_REQUEST);
    }

    @Test
    void publishOptions_translateTheQuery() {
        final PublishOptions o = PublishOptions.parse(List.of("s=abc", "cid=42", "offline=false", "exp=60"), true);
        assertThat(o.error()).isNull();
        assertThat(o.session()).isEqualTo("abc");
        assertThat(o.props()).containsEntry(Props.CID, "42").containsEntry(Props.OFFLINE, "false");
        assertThat(o.expiry()).isEqualTo(60L);
        assertThat(PublishOptions.parse(List.of("exp=-1", "colour=red"), true).error())
                .contains("exp must be seconds").contains("unknown query parameter 'colour'");
        assertThat(PublishOptions.parse(List.of("cid=1"), false).error()).contains("not allowed here");
    }

    @Test
    void envelope_carriesTopicIdAndBody_asTextOrBase64() {
        final String text = new String(Envelope.json("rtm/user/p/inbox/a", "say \"hi\"\n".getBytes(StandardCharsets.UTF_8),
                Map.of(Props.ID, "01ABC", Props.TS, "1700000000000", Props.OFFLINE, "true")), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("{\"topic\":\"rtm/user/p/inbox/a\",\"id\":\"01ABC\",\"ts\":1700000000000,\"offline\":true,"
                + "\"payload\":\"say \\\"hi\\\"\\n\"}");
        final String binary = new String(Envelope.json("t", new byte[] {(byte) 0xff, 0}, Map.of()), StandardCharsets.UTF_8);
        assertThat(binary).isEqualTo("{\"topic\":\"t\",\"payload64\":\"/wA=\"}");
    }
}
