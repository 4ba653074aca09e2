package org.openrtm.protocol;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The proof with which the CoAP gateway may set {@code rtm-via: coap} in a CONNECT ({@link Props#VIA_PROOF}): the
 * HMAC-SHA256 of the uid under a key derived from the deployment secret, in hex. Only a holder of the secret (the
 * broker, the gateway) can make it, and a proof serves only the uid it was made for. Without a valid proof the server
 * treats the connection as an ordinary MQTT one. Stateless; thread-safe.
 */
public final class ViaProof {

    private static final byte[] LABEL = "openrtm rtm-via coap".getBytes(StandardCharsets.UTF_8);

    private ViaProof() {
    }

    /** The proof key of a deployment: HMAC-SHA256 of {@code openrtm rtm-via coap} under the deployment secret. */
    public static byte @NotNull [] key(final byte @NotNull [] secret) {
        return hmac(secret, LABEL);
    }

    /** The proof for {@code uid} under {@code key} (from {@link #key}), in lower-case hex. */
    public static @NotNull String of(final byte @NotNull [] key, final @NotNull String uid) {
        final byte[] mac = hmac(key, uid.getBytes(StandardCharsets.UTF_8));
        final StringBuilder hex = new StringBuilder(mac.length * 2);
        for (final byte b : mac) {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString(); // not java.util.HexFormat: the protocol module also runs on Android before API 34
    }

    /** Whether {@code proof} is the proof for {@code uid} under {@code key}; compared in constant time. */
    public static boolean verify(final byte @NotNull [] key, final @NotNull String uid, final @Nullable String proof) {
        if (proof == null) {
            return false;
        }
        return MessageDigest.isEqual(of(key, uid).getBytes(StandardCharsets.US_ASCII),
                proof.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(final byte[] key, final byte[] data) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
