package org.openrtm.gateway;

import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Pre-shared keys of devices for CoAPS (DTLS 1.2 with PSK), derived from the deployment's secret so that no key
 * store is needed: {@code psk(uid) = first 16 bytes of HMAC-SHA256(secret, "openrtm-coap-psk:" + uid)}; the PSK
 * identity is the uid. Whoever provisions a device computes its key with {@link #derive} (or
 * {@code java -jar rtm-gateway.jar psk UID}); the gateway computes the same key when the device shakes hands.
 * A device's key reveals neither the secret nor any other device's key. Stateless and thread-safe.
 */
public final class DevicePsk {

    /** Bytes of a derived key. */
    public static final int KEY_BYTES = 16;
    private static final String LABEL = "openrtm-coap-psk:";

    private DevicePsk() {
    }

    /**
     * Derives the key of a device.
     *
     * @param secret the deployment's secret (the token-signing secret), at least 32 bytes
     * @param uid    the device's uid (its PSK identity)
     * @return a new array of {@value #KEY_BYTES} bytes
     * @throws IllegalArgumentException if the uid is not valid or the secret too short
     */
    public static byte @NotNull [] derive(final byte @NotNull [] secret, final @NotNull String uid) {
        final String error = Ids.uidError(uid);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        if (secret.length < 32) {
            throw new IllegalArgumentException("secret must be at least 32 bytes, but was " + secret.length);
        }
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            final byte[] full = mac.doFinal((LABEL + uid).getBytes(StandardCharsets.UTF_8));
            final byte[] key = Arrays.copyOf(full, KEY_BYTES);
            Arrays.fill(full, (byte) 0);
            return key;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** The derived key of a device as lower-case hex (how it is usually typed into a device). */
    public static @NotNull String deriveHex(final byte @NotNull [] secret, final @NotNull String uid) {
        final byte[] key = derive(secret, uid);
        try {
            return HexFormat.of().formatHex(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
