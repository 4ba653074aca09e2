package org.openrtm.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ViaProofTest {

    private static final byte[] KEY = ViaProof.key("deployment-secret-0123456789-0123456789".getBytes(StandardCharsets.UTF_8));

    @Test
    void aProof_holdsForItsUidOnly_andNotUnderAnotherSecret() {
        final String proof = ViaProof.of(KEY, "meter-1");
        assertThat(proof).hasSize(64).matches("[0-9a-f]+");
        assertThat(ViaProof.verify(KEY, "meter-1", proof)).isTrue();
        assertThat(ViaProof.verify(KEY, "meter-2", proof)).isFalse();
        assertThat(ViaProof.verify(KEY, "meter-1", null)).isFalse();
        assertThat(ViaProof.verify(KEY, "meter-1", "")).isFalse();
        assertThat(ViaProof.verify(KEY, "meter-1", proof.toUpperCase(java.util.Locale.ROOT))).isFalse();
        final byte[] other = ViaProof.key("another-secret-0123456789-0123456789-xy".getBytes(StandardCharsets.UTF_8));
        assertThat(ViaProof.verify(other, "meter-1", proof)).isFalse();
    }
}
