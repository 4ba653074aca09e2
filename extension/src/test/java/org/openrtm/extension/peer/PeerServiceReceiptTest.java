package org.openrtm.extension.peer;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.openrtm.protocol.Events;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PeerServiceReceiptTest {

    private static String gson(final String id, final String to) {
        final JsonObject receipt = new JsonObject();
        receipt.addProperty(Events.TYPE, Events.TYPE_RECEIPT);
        receipt.addProperty(Events.ID, id);
        receipt.addProperty(Events.TO, to);
        receipt.addProperty(Events.STATUS, Events.STATUS_RECEIVED);
        return receipt.toString();
    }

    @Test
    void receiptJson_isWhatGsonWrites_forPlainIds() {
        assertThat(new String(PeerService.receiptJson("01HXYZ-42", "alice_1"), StandardCharsets.UTF_8))
                .isEqualTo(gson("01HXYZ-42", "alice_1"))
                .isEqualTo("{\"type\":\"receipt\",\"id\":\"01HXYZ-42\",\"to\":\"alice_1\",\"status\":\"received\"}");
    }

    @Test
    void receiptJson_escapesLikeGson() {
        final String odd = "a\"b\\c\u0001d\u2028é";
        assertThat(new String(PeerService.receiptJson(odd, odd), StandardCharsets.UTF_8)).isEqualTo(gson(odd, odd));
    }
}
