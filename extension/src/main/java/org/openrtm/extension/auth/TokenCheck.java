package org.openrtm.extension.auth;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.openrtm.protocol.Role;

import java.time.Instant;

/** The outcome of {@link Tokens#verify(String, String)}. Immutable. */
public final class TokenCheck {

    /** What kind of outcome. */
    public enum Outcome {
        /** The token is valid. */
        OK,
        /** Malformed, badly signed, or for another uid: CONNACK 0x86 Bad user name or password. */
        BAD,
        /** Expired or not yet valid: CONNACK 0x87 Not authorized. */
        EXPIRED
    }

    private final Outcome outcome;
    private final String uid;
    private final Role role;
    private final Instant expiresAt;
    private final String reason;

    private TokenCheck(final Outcome outcome, final String uid, final Role role, final Instant expiresAt, final String reason) {
        this.outcome = outcome;
        this.uid = uid;
        this.role = role;
        this.expiresAt = expiresAt;
        this.reason = reason;
    }

    static @NotNull TokenCheck ok(final @NotNull String uid, final @NotNull Role role, final @NotNull Instant expiresAt) {
        return new TokenCheck(Outcome.OK, uid, role, expiresAt, null);
    }

    static @NotNull TokenCheck bad(final @NotNull String reason) {
        return new TokenCheck(Outcome.BAD, null, null, null, reason);
    }

    static @NotNull TokenCheck expired(final @NotNull String reason) {
        return new TokenCheck(Outcome.EXPIRED, null, null, null, reason);
    }

    public @NotNull Outcome outcome() {
        return outcome;
    }

    public boolean isOk() {
        return outcome == Outcome.OK;
    }

    /** The uid, when OK. */
    public @Nullable String uid() {
        return uid;
    }

    /** The role, when OK. */
    public @Nullable Role role() {
        return role;
    }

    /** When the token expires, when OK. */
    public @Nullable Instant expiresAt() {
        return expiresAt;
    }

    /** Why the token was refused (never contains the token). */
    public @Nullable String reason() {
        return reason;
    }
}
