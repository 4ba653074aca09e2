package org.openrtm.gateway;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicePskTest {

    private static final byte[] SECRET = "test-secret-0123456789-0123456789-abcdef".getBytes(StandardCharsets.UTF_8);

    @Test
    void derive_isStablePerUid_andDiffersBetweenUids() {
        assertThat(DevicePsk.derive(SECRET, "plug-1")).hasSize(16).isEqualTo(DevicePsk.derive(SECRET, "plug-1"));
        assertThat(DevicePsk.derive(SECRET, "plug-1")).isNotEqualTo(DevicePsk.derive(SECRET, "plug-2"));
        assertThat(DevicePsk.deriveHex(SECRET, "plug-1")).hasSize(32).matches("[0-9a-f]+");
    }

    @Test
    void derive_refusesBadInput() {
        assertThatThrownBy(() -> DevicePsk.derive(SECRET, "a/b")).hasMessageContaining("uid must be");
        assertThatThrownBy(() -> DevicePsk.derive(new byte[8], "a")).hasMessage("secret must be at least 32 bytes, but was 8");
    }
}
