package org.openrtm.extension.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.jetbrains.annotations.NotNull;
import org.openrtm.protocol.Ids;
import org.openrtm.protocol.Role;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Mints and verifies the protocol's tokens: JWTs signed with HS256 and the deployment's secret, whose {@code sub} is
 * the uid, whose {@code exp} bounds their life, and whose optional {@code rtm.role} claim is the role.
 *
 * <p>Thread-safe: the signer and verifier are immutable.
 */
public final class Tokens {

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Clock clock;
    private final Duration clockSkew;

    /**
     * @param secret    the deployment's secret, at least {@value Secrets#MIN_BYTES} bytes
     * @param clock     the clock that decides expiry
     * @param clockSkew how far exp and nbf may be off
     */
    public Tokens(final byte @NotNull [] secret, final @NotNull Clock clock, final @NotNull Duration clockSkew) {
        try {
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (final JOSEException e) {
            throw new IllegalArgumentException("the token secret must be at least " + Secrets.MIN_BYTES + " bytes: "
                    + e.getMessage(), e);
        }
        this.clock = clock;
        this.clockSkew = clockSkew;
    }

    /**
     * Mints a token.
     *
     * @param uid  the user id (the MQTT client id it will be valid for)
     * @param role the role
     * @param ttl  how long the token is valid, from now
     * @return the compact JWT
     * @throws IllegalArgumentException if the uid is invalid or the ttl not positive
     */
    public @NotNull String mint(final @NotNull String uid, final @NotNull Role role, final @NotNull Duration ttl) {
        final String error = Ids.uidError(uid);
        if (error != null) {
            throw new IllegalArgumentException(error);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, but was " + ttl);
        }
        final Instant now = clock.instant();
        final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(uid)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (role != Role.USER) {
            claims.claim(Role.CLAIM, role.wire());
        }
        final SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (final JOSEException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * Verifies a token presented without a client id (a bearer token): the uid is its subject. Never throws.
     */
    public @NotNull TokenCheck verifyBearer(final @NotNull String token) {
        try {
            final String sub = SignedJWT.parse(token).getJWTClaimsSet().getSubject();
            if (sub == null || Ids.uidError(sub) != null) {
                return TokenCheck.bad("token subject must be a valid uid");
            }
            return verify(sub, token);
        } catch (final ParseException e) {
            return TokenCheck.bad("token is not a JWT");
        }
    }

    /**
     * Verifies a token for a uid. Never throws.
     *
     * @param uid   the uid the client connects as
     * @param token the token (the MQTT password)
     * @return the result
     */
    public @NotNull TokenCheck verify(final @NotNull String uid, final @NotNull String token) {
        final SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (final ParseException e) {
            return TokenCheck.bad("token is not a JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            return TokenCheck.bad("token must be signed with HS256, but was " + jwt.getHeader().getAlgorithm());
        }
        try {
            if (!jwt.verify(verifier)) {
                return TokenCheck.bad("token signature is not valid for this deployment");
            }
        } catch (final JOSEException e) {
            return TokenCheck.bad("token signature cannot be checked: " + e.getMessage());
        }
        final JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (final ParseException e) {
            return TokenCheck.bad("token claims are not valid JSON");
        }
        final String sub = claims.getSubject();
        if (!uid.equals(sub)) {
            return TokenCheck.bad("token subject " + Ids.show(sub) + " does not match client id " + Ids.show(uid));
        }
        final Object roleClaim = claims.getClaim(Role.CLAIM);
        final Role role;
        if (roleClaim == null) {
            role = Role.USER;
        } else {
            role = roleClaim instanceof String ? Role.fromWire((String) roleClaim) : null;
            if (role == null) {
                return TokenCheck.bad("token claim " + Role.CLAIM + " must be user, service or admin, but was "
                        + Ids.show(String.valueOf(roleClaim)));
            }
        }
        final Instant now = clock.instant();
        final Date exp = claims.getExpirationTime();
        if (exp == null) {
            return TokenCheck.bad("token has no exp claim");
        }
        if (!exp.toInstant().plus(clockSkew).isAfter(now)) {
            return TokenCheck.expired("token expired at " + exp.toInstant() + " (server time " + now + ")");
        }
        final Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(clockSkew).isAfter(now)) {
            return TokenCheck.expired("token is not valid before " + nbf.toInstant() + " (server time " + now + ")");
        }
        return TokenCheck.ok(uid, role, exp.toInstant());
    }
}
