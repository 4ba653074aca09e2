package org.openrtm.gateway.internal.dtls;

import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.ServerNames;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.gateway.DevicePsk;
import org.openrtm.protocol.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.SecretKey;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The gateway's PSK store for Scandium: the PSK identity is the device's uid, and its key is either derived from
 * the deployment secret ({@link DevicePsk}) or read from a key file. Answers synchronously (a derivation is one
 * HMAC). Thread-safe: immutable after construction.
 */
public final class DevicePskStore implements AdvancedPskStore {

    private static final Logger log = LoggerFactory.getLogger(DevicePskStore.class);

    private final Function<String, byte[]> keys;

    private DevicePskStore(final Function<String, byte[]> keys) {
        this.keys = keys;
    }

    /** Keys derived from the deployment's secret. */
    public static @NotNull DevicePskStore derived(final byte @NotNull [] secret) {
        final byte[] copy = secret.clone();
        return new DevicePskStore(uid -> Ids.isValidUid(uid) ? DevicePsk.derive(copy, uid) : null);
    }

    /**
     * Keys from a properties file {@code uid = key}, the key in hex or as {@code base64:...}.
     *
     * @throws IOException if the file cannot be read or has a malformed line (the message names the uid)
     */
    public static @NotNull DevicePskStore fromFile(final @NotNull Path file) throws IOException {
        final Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        final Map<String, byte[]> map = new HashMap<>();
        final List<String> errors = new ArrayList<>();
        for (final String uid : p.stringPropertyNames()) {
            final String v = p.getProperty(uid).trim();
            try {
                final byte[] key = v.startsWith("base64:") ? Base64.getDecoder().decode(v.substring(7))
                        : HexFormat.of().parseHex(v);
                if (key.length == 0) {
                    throw new IllegalArgumentException("empty");
                }
                map.put(uid, key);
            } catch (final IllegalArgumentException e) {
                errors.add("key of " + Ids.show(uid) + " must be hex or base64:..., but is malformed (" + e.getMessage() + ")");
            }
        }
        if (!errors.isEmpty()) {
            throw new IOException("PSK file " + file + ": " + String.join("; ", errors));
        }
        log.info("CoAPS: {} device keys from {}", map.size(), file);
        return new DevicePskStore(uid -> {
            final byte[] k = map.get(uid);
            return k == null ? null : k.clone();
        });
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(final ConnectionId cid, final ServerNames serverName,
                                                  final PskPublicInformation identity, final String hmacAlgorithm,
                                                  final SecretKey otherSecret, final byte[] seed,
                                                  final boolean useExtendedMasterSecret) {
        final byte[] key = keys.apply(identity.getPublicInfoAsString());
        SecretKey secret = null;
        if (key != null) {
            secret = SecretUtil.create(key, "PSK");
            java.util.Arrays.fill(key, (byte) 0);
        } else {
            log.debug("CoAPS: no key for PSK identity {}", Ids.show(identity.getPublicInfoAsString()));
        }
        return new PskSecretResult(cid, identity, secret);
    }

    @Override
    public @Nullable PskPublicInformation getIdentity(final InetSocketAddress peerAddress, final ServerNames virtualHost) {
        return null; // server only
    }

    @Override
    public void setResultHandler(final HandshakeResultHandler resultHandler) {
        // answers synchronously
    }
}
