package org.openrtm.broker;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The key material of the broker's TLS listeners (MQTT over TLS and secure WebSocket): a key store (JKS or PKCS#12)
 * with the server's private key and certificate chain, and optionally a trust store of the CAs whose client
 * certificates are accepted. Immutable and thread-safe.
 *
 * @param keyStore           the key store file
 * @param keyStorePassword   its password
 * @param keyPassword        the private key's password (often the key store's)
 * @param trustStore         a trust store for client certificates, or {@code null}
 * @param trustStorePassword its password, or {@code null} without a trust store
 * @param clientAuth         whether clients must present a certificate
 */
public record TlsConfig(@NotNull Path keyStore, @NotNull String keyStorePassword, @NotNull String keyPassword,
                        @Nullable Path trustStore, @Nullable String trustStorePassword, @NotNull ClientAuth clientAuth) {

    /** Whether a TLS client must present a certificate (checked against the trust store). */
    public enum ClientAuth {
        /** No client certificate is asked for (the default: clients log in with tokens). */
        NONE,
        /** A client may present a certificate. */
        OPTIONAL,
        /** A client must present a certificate that chains to the trust store. */
        REQUIRED;

        /**
         * Parses {@code none}, {@code optional} or {@code required} (any case).
         *
         * @throws IllegalArgumentException for anything else, naming the value
         */
        public static @NotNull ClientAuth parse(final @NotNull String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("client authentication must be none, optional or required, but was '"
                        + text + "'", e);
            }
        }
    }

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException if client certificates are asked for without a trust store, or a trust store
     *                                  has no password
     */
    public TlsConfig {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(keyPassword, "keyPassword");
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (clientAuth != ClientAuth.NONE && trustStore == null) {
            throw new IllegalArgumentException("client authentication " + clientAuth.name().toLowerCase(Locale.ROOT)
                    + " needs a trust store, but none was given");
        }
        if (trustStore != null && trustStorePassword == null) {
            throw new IllegalArgumentException("trust store " + trustStore + " needs a password, but none was given");
        }
    }

    /** A key store whose private key has the key store's password; no client certificates. */
    public static @NotNull TlsConfig of(final @NotNull Path keyStore, final @NotNull String password) {
        return new TlsConfig(keyStore, password, password, null, null, ClientAuth.NONE);
    }

    /** This configuration with a trust store for client certificates and the given mode. */
    public @NotNull TlsConfig withTrustStore(final @NotNull Path store, final @NotNull String password,
                                             final @NotNull ClientAuth mode) {
        return new TlsConfig(keyStore, keyStorePassword, keyPassword, store, password, mode);
    }

    /** Never shows the passwords. */
    @Override
    public @NotNull String toString() {
        return "TlsConfig[keyStore=" + keyStore + ", trustStore=" + trustStore + ", clientAuth=" + clientAuth + "]";
    }
}
