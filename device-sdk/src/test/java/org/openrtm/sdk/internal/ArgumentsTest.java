package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class ArgumentsTest {

    @Test
    void positive_acceptsPositiveDurations_andRefusesZeroNegativeAndNull() {
        assertThat(Arguments.positive("timeout", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThat(catchThrowable(() -> Arguments.positive("timeout", Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, but was PT0S");
        assertThat(catchThrowable(() -> Arguments.positive("pageTimeout", Duration.ofSeconds(-1))))
                .hasMessage("pageTimeout must be positive, but was PT-1S");
        assertThat(catchThrowable(() -> Arguments.positive("timeout", null)))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout");
    }

    @Test
    void positiveOrNull_passesNullThrough() {
        assertThat(Arguments.positiveOrNull("timeout", null)).isNull();
        assertThat(Arguments.positiveOrNull("timeout", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(catchThrowable(() -> Arguments.positiveOrNull("timeout", Duration.ZERO)))
                .hasMessage("timeout must be positive, but was PT0S");
    }

    @Test
    void clientMessageId_mustBe1To128Characters() {
        assertThat(Arguments.clientMessageId(null)).isNull();
        assertThat(Arguments.clientMessageId("a".repeat(128))).hasSize(128);
        assertThat(catchThrowable(() -> Arguments.clientMessageId("")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clientMessageId must be 1 to 128 characters, but was 0 characters");
        assertThat(catchThrowable(() -> Arguments.clientMessageId("a".repeat(129))))
                .hasMessage("clientMessageId must be 1 to 128 characters, but was 129 characters");
    }

    @Test
    void userProperty_refusesEmptyAndProtocolNames_andNulls() {
        Arguments.userProperty("color", "");
        assertThat(catchThrowable(() -> Arguments.userProperty("rtm-id", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("property name must be non-empty and must not start with 'rtm-', but was 'rtm-id'");
        assertThat(catchThrowable(() -> Arguments.userProperty("", "x")))
                .hasMessage("property name must be non-empty and must not start with 'rtm-', but was ''");
        assertThat(catchThrowable(() -> Arguments.userProperty(null, "x")))
                .isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThat(catchThrowable(() -> Arguments.userProperty("color", null)))
                .isInstanceOf(NullPointerException.class).hasMessage("value");
    }
}
