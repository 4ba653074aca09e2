package org.openrtm.broker.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openrtm.broker.MainAccess;
import org.openrtm.broker.RtmBroker;
import org.openrtm.extension.auth.TokenCheck;
import org.openrtm.extension.auth.Tokens;
import org.openrtm.protocol.Role;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CommandLineIT {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(final Map<String, String> env, final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = MainAccess.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void token_printsAJwtSignedWithTheDataFoldersSecret() throws Exception {
        final Result r = run(Map.of(), "token", "alice", "--role", "service", "--ttl", "2h", "--data", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        final String token = r.out().trim();
        final byte[] secret = Files.readString(dir.resolve("secret"), StandardCharsets.UTF_8).trim()
                .getBytes(StandardCharsets.UTF_8);
        final TokenCheck check = new Tokens(secret, Clock.systemUTC(), Duration.ZERO).verify("alice", token);
        assertThat(check.isOk()).as(String.valueOf(check.reason())).isTrue();
        assertThat(check.role()).isEqualTo(Role.SERVICE);
        assertThat(Duration.between(Instant.now(), check.expiresAt())).isBetween(Duration.ofMinutes(119),
                Duration.ofMinutes(121));
        // the same secret on the second call
        assertThat(new Tokens(secret, Clock.systemUTC(), Duration.ZERO)
                .verify("bob", run(Map.of(), "token", "bob", "--data", dir.toString()).out().trim()).isOk()).isTrue();
    }

    @Test
    void token_usesRtmSecretFromTheEnvironmentFirst() {
        final String secret = "environment-secret-0123456789-0123456789";
        final Result r = run(Map.of("RTM_SECRET", secret), "token", "carol", "--data", dir.toString());
        assertThat(new Tokens(secret.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO)
                .verify("carol", r.out().trim()).isOk()).isTrue();
        assertThat(dir.resolve("secret")).doesNotExist();
        final Result tooShort = run(Map.of("RTM_SECRET", "short"), "token", "carol", "--data", dir.toString());
        assertThat(tooShort.code()).isEqualTo(1);
        assertThat(tooShort.err()).contains("must be at least 32 bytes long, but was 5 bytes");
        assertThat(tooShort.err()).doesNotContain("short\n");
    }

    @Test
    void badArguments_exitWith2AndNameTheProblem() {
        assertThat(run(Map.of(), "token").err()).contains("token needs a UID");
        assertThat(run(Map.of(), "token", "a/b").err()).contains("uid must be");
        final Result role = run(Map.of(), "token", "alice", "--role", "root");
        assertThat(role.code()).isEqualTo(2);
        assertThat(role.err()).contains("--role must be user, service or admin, but was 'root'");
        assertThat(run(Map.of(), "token", "alice", "--ttl", "forever").err()).contains("--ttl must be a positive duration");
        assertThat(run(Map.of(), "--mqtt-port", "70000").err()).contains("--mqtt-port must be a port between 1 and 65535");
        assertThat(run(Map.of(), "--bogus").err()).contains("unknown option '--bogus'");
        assertThat(run(Map.of(), "--config", dir.resolve("missing.properties").toString()).err()).contains("does not exist");
        assertThat(run(Map.of(), "--help").out()).contains("Usage:");
    }

    @Test
    void invalidConfiguration_stopsTheBrokerWithEveryProblemNamed() throws Exception {
        final Path config = dir.resolve("rtm.properties");
        Files.writeString(config, "limits.max-payload-bytes = 0\noffline.ttl = forever\nno.such.key = 1\n",
                StandardCharsets.UTF_8);
        final Result r = run(Map.of("RTM_SECRET", "environment-secret-0123456789-0123456789"),
                "--config", config.toString(), "--data", dir.resolve("data").toString(),
                "--mqtt-port", Integer.toString(RtmBroker.freePort()), "--ws-port", "off");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("limits.max-payload-bytes must be between 1 and 268435455, but was '0'")
                .contains("offline.ttl must be a duration").contains("unknown key 'no.such.key'");
    }

}
