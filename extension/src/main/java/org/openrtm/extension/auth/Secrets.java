package org.openrtm.extension.auth;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Where the deployment's token-signing secret comes from: the environment variable {@value #ENV} if it is set,
 * otherwise the file {@code <data>/secret}, created on first use with 48 random bytes and owner-only permissions.
 */
public final class Secrets {

    /** The environment variable that carries the secret. */
    public static final String ENV = "RTM_SECRET";
    /** The file name of the secret inside the data folder. */
    public static final String FILE_NAME = "secret";
    /** HS256 needs at least 256 bits of key. */
    public static final int MIN_BYTES = 32;

    private Secrets() {
    }

    /**
     * Loads the secret, creating the file if neither the variable nor the file exists.
     *
     * @param env     the environment (normally {@link System#getenv()})
     * @param dataDir the data folder
     * @return the secret bytes (at least {@value #MIN_BYTES})
     * @throws IOException if the file cannot be read or created, or the secret is too short
     */
    public static byte @NotNull [] load(final @NotNull Map<String, String> env, final @NotNull Path dataDir)
            throws IOException {
        final String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return check(fromEnv.getBytes(StandardCharsets.UTF_8), "environment variable " + ENV);
        }
        final Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return check(readFile(file), file.toString());
        }
        Files.createDirectories(dataDir);
        final byte[] raw = new byte[48];
        new SecureRandom().nextBytes(raw);
        final String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        try {
            createOwnerOnly(file, encoded);
        } catch (final FileAlreadyExistsException e) {
            // another process created it first: use theirs
            return check(readFile(file), file.toString());
        }
        return encoded.getBytes(StandardCharsets.UTF_8);
    }

    /** Where the secret file is or would be. */
    public static @NotNull Path file(final @NotNull Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** Describes where the secret comes from, for a start-up log line (never the secret itself). */
    public static @NotNull String describeSource(final @NotNull Map<String, String> env, final @NotNull Path dataDir) {
        final String fromEnv = env.get(ENV);
        return fromEnv != null && !fromEnv.isEmpty() ? "environment variable " + ENV : dataDir.resolve(FILE_NAME).toString();
    }

    private static byte[] readFile(final Path file) throws IOException {
        final String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void createOwnerOnly(final Path file, final String content) throws IOException {
        final Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
        } catch (final UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static byte[] check(final byte @Nullable [] secret, final String source) throws IOException {
        if (secret == null || secret.length < MIN_BYTES) {
            throw new IOException("the token secret from " + source + " must be at least " + MIN_BYTES
                    + " bytes long, but was " + (secret == null ? 0 : secret.length) + " bytes");
        }
        return secret;
    }
}
