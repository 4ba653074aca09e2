package org.openrtm.gateway.internal.dtls;

import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.gateway.DevicePsk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicePskStoreTest {

    private static final byte[] SECRET = "test-secret-0123456789-0123456789-abcdef".getBytes(StandardCharsets.UTF_8);

    private static PskSecretResult ask(final DevicePskStore store, final String identity) {
        return store.requestPskSecretResult(new ConnectionId(new byte[] {1, 2}), null, new PskPublicInformation(identity),
                "HmacSHA256", null, null, false);
    }

    @Test
    void derived_answersEveryValidUidWithItsDerivedKey() {
        final DevicePskStore store = DevicePskStore.derived(SECRET);
        assertThat(ask(store, "plug-1").getSecret().getEncoded()).isEqualTo(DevicePsk.derive(SECRET, "plug-1"));
        assertThat(ask(store, "not a uid").getSecret()).isNull();
    }

    @Test
    void file_answersListedUidsOnly_hexOrBase64(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("psk.properties");
        Files.writeString(f, "plug-1 = 000102030405060708090a0b0c0d0e0f\nplug-2 = base64:AAECAw==\n", StandardCharsets.UTF_8);
        final DevicePskStore store = DevicePskStore.fromFile(f);
        assertThat(ask(store, "plug-1").getSecret().getEncoded()).hasSize(16).startsWith(0, 1, 2);
        assertThat(ask(store, "plug-2").getSecret().getEncoded()).containsExactly(0, 1, 2, 3);
        assertThat(ask(store, "plug-3").getSecret()).isNull();
    }

    @Test
    void file_withAMalformedKey_isRefusedNamingTheUid(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("psk.properties");
        Files.writeString(f, "plug-1 = xyz\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DevicePskStore.fromFile(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("key of 'plug-1' must be hex or base64");
    }
}
