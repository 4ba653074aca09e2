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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        // no secret there yet: the command made one, which only a broker on the same folder uses
        assertThat(r.err()).contains("created a new secret in " + dir.resolve("secret"))
                .contains("same --data (" + dir.toAbsolutePath().normalize() + ")").contains("RTM_SECRET");
        final String token = r.out().trim();
        final byte[] secret = Files.readString(dir.resolve("secret"), StandardCharsets.UTF_8).trim()
                .getBytes(StandardCharsets.UTF_8);
        final TokenCheck check = new Tokens(secret, Clock.systemUTC(), Duration.ZERO).verify("alice", token);
        assertThat(check.isOk()).as(String.valueOf(check.reason())).isTrue();
        assertThat(check.role()).isEqualTo(Role.SERVICE);
        assertThat(Duration.between(Instant.now(), check.expiresAt())).isBetween(Duration.ofMinutes(119),
                Duration.ofMinutes(121));
        // the same secret on the second call, and nothing to warn about
        final Result second = run(Map.of(), "token", "bob", "--data", dir.toString());
        assertThat(second.err()).isEmpty();
        assertThat(new Tokens(secret, Clock.systemUTC(), Duration.ZERO)
                .verify("bob", second.out().trim()).isOk()).isTrue();
    }

    @Test
    void token_usesRtmSecretFromTheEnvironmentFirst() {
        final String secret = "environment-secret-0123456789-0123456789";
        final Result r = run(Map.of("RTM_SECRET", secret), "token", "carol", "--data", dir.toString());
        assertThat(new Tokens(secret.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO)
                .verify("carol", r.out().trim()).isOk()).isTrue();
        assertThat(dir.resolve("secret")).doesNotExist();
        assertThat(r.err()).isEmpty();
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

    @Test
    void aSecondBrokerOnARunningBrokersDataFolder_isRefusedNamingTheFolderAndThePid() throws Exception {
        final Path data = dir.resolve("data");
        final Map<String, String> env = Map.of("RTM_SECRET", "environment-secret-0123456789-0123456789");
        try (RtmBroker first = RtmBroker.builder().dataDir(data).env(env).mqttPort(0).wsPort(-1).httpPort(-1)
                .withoutCoap().build().start()) {
            final ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "org.openrtm.broker.Main", "--data", data.toString(),
                    "--mqtt-port", Integer.toString(RtmBroker.freePort()), "--ws-port", "off", "--http-port", "off",
                    "--no-coap").redirectErrorStream(true);
            pb.environment().putAll(env);
            final Process second = pb.start();
            final String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(output).isEqualTo(1);
            assertThat(output).contains("error: the data folder " + data.toAbsolutePath().normalize() + " is in use by "
                    + "another process (pid " + ProcessHandle.current().pid() + ")");
            // the first broker still works, on its own store
            assertThat(first.runtime()).isNotNull();
            assertThat(first.mintToken("alice", Role.USER, Duration.ofMinutes(1))).isNotEmpty();
        }
        // stopped: the folder is free again
        try (RtmBroker again = RtmBroker.builder().dataDir(data).env(env).mqttPort(0).wsPort(-1).httpPort(-1)
                .withoutCoap().build().start()) {
            assertThat(again.runtime()).isNotNull();
        }
    }

    /**
     * A real read-only and a real full file system: a small tmpfs mounted for the test (as root, {@code chmod} denies
     * nothing, so only a mount shows what an operator meets). Skipped where the test may not mount.
     */
    @Test
    void startOnAReadOnlyOrFullDisk_namesTheFolderAndTheCause() throws Exception {
        final Path mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()) == 0, "cannot mount a tmpfs");
        try {
            final Map<String, String> env = Map.of("RTM_SECRET", "environment-secret-0123456789-0123456789");
            final String port = Integer.toString(RtmBroker.freePort());
            // full: nothing left for a byte
            Files.write(mnt.resolve("fill"), new byte[64 * 1024]);
            final Result full = run(env, "--data", mnt.resolve("data").toString(), "--mqtt-port", port, "--ws-port",
                    "off", "--http-port", "off", "--no-coap");
            assertThat(full.code()).isEqualTo(1);
            assertThat(full.err()).contains("cannot lock the data folder " + mnt.resolve("data"))
                    .contains("No space left on device");
            Files.delete(mnt.resolve("fill"));
            // read-only
            assertThat(sh("mount", "-o", "remount,ro", mnt.toString())).isZero();
            final Result readOnly = run(env, "--data", mnt.resolve("ro").toString(), "--mqtt-port", port, "--ws-port",
                    "off", "--http-port", "off", "--no-coap");
            assertThat(readOnly.code()).isEqualTo(1);
            assertThat(readOnly.err()).contains("data folder " + mnt.resolve("ro")).contains("Read-only file system");
        } finally {
            sh("umount", mnt.toString());
        }
    }

    private static int sh(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

}
