package org.openrtm.sdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.sdk.testing.Recorder;
import org.openrtm.sdk.testing.TestClients;
import org.openrtm.sdk.testing.Tokens;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

class LoginIT {

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private static LoginException loginFails(final RtmClient c) {
        final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                () -> c.login().get(20, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(LoginException.class);
        return (LoginException) e.getCause();
    }

    @Test
    void login_goesConnectingThenConnected_andLogout_disconnects() throws Exception {
        final Recorder r = new Recorder();
        try (RtmClient c = TestClients.builder(broker, "ann").connectionListener(r).build()) {
            assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
            assertThat(c.uid()).isEqualTo("ann");
            c.login().get(10, TimeUnit.SECONDS);
            assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
            // a second login() while connected completes at once
            assertThat(c.login()).succeedsWithin(Duration.ofSeconds(5));

            c.logout().get(10, TimeUnit.SECONDS);
            assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
            await().atMost(Duration.ofSeconds(5)).until(() -> r.changes.size() == 3);
            assertThat(r.changes).extracting(ConnectionChange::state).containsExactly(
                    ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.DISCONNECTED);
            assertThat(r.changes).extracting(ConnectionChange::reason).containsExactly(ConnectionChangeReason.LOGIN,
                    ConnectionChangeReason.LOGIN_SUCCESS, ConnectionChangeReason.LOGOUT);
            assertThat(r.threads).allMatch(t -> t.equals("rtm-callback-ann"));

            // and it can log in again
            c.login().get(10, TimeUnit.SECONDS);
            assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
        }
    }

    @Test
    void sendsBeforeLoginAndAfterLogout_failWithNotLoggedIn() throws Exception {
        try (RtmClient c = TestClients.builder(broker, "ben").build()) {
            final ExecutionException before = catchThrowableOfType(ExecutionException.class,
                    () -> c.peer().send("x", "y").get(5, TimeUnit.SECONDS));
            assertThat(before.getCause()).isInstanceOf(NotLoggedInException.class);
            assertThat(((NotLoggedInException) before.getCause()).state()).isEqualTo(ConnectionState.DISCONNECTED);

            c.login().get(10, TimeUnit.SECONDS);
            c.logout().get(10, TimeUnit.SECONDS);
            final ExecutionException after = catchThrowableOfType(ExecutionException.class,
                    () -> c.serverInfo().get(5, TimeUnit.SECONDS));
            assertThat(after.getCause()).isInstanceOf(NotLoggedInException.class)
                    .hasMessageContaining("call login() first");
        }
    }

    @Test
    void tokenOfAnotherUser_isBadToken_withTheServersReason() {
        final Recorder r = new Recorder();
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("eve")
                .token(broker.token("alice")).connectionListener(r).build()) {
            final LoginException e = loginFails(c);
            assertThat(e.error()).isEqualTo(LoginError.BAD_TOKEN);
            assertThat(e.reasonCode()).isEqualTo(0x86);
            assertThat(e.code()).isEqualTo(RtmErrorCode.LOGIN_FAILED);
            assertThat(e.getMessage()).isEqualTo("token subject 'alice' does not match client id 'eve'");
            assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
            await().atMost(Duration.ofSeconds(5)).until(() -> r.changes.size() == 2);
            assertThat(r.changes.get(1).reason()).isEqualTo(ConnectionChangeReason.LOGIN_FAILURE);
            assertThat(r.changes.get(1).reasonCode()).isEqualTo(0x86);
        }
    }

    @Test
    void garbageToken_isBadToken() {
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("gus")
                .token("not-a-jwt").build()) {
            final LoginException e = loginFails(c);
            assertThat(e.error()).isEqualTo(LoginError.BAD_TOKEN);
            assertThat(e.getMessage()).isEqualTo("token is not a JWT");
        }
    }

    @Test
    void expiredToken_isTokenExpired_withTheServersReason() {
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("old")
                .token(Tokens.expired("old")).build()) {
            final LoginException e = loginFails(c);
            assertThat(e.error()).isEqualTo(LoginError.TOKEN_EXPIRED);
            assertThat(e.reasonCode()).isEqualTo(0x87);
            assertThat(e.getMessage()).startsWith("token expired at");
        }
    }

    @Test
    void refusedToken_isReplacedFromTheSupplier_andTheLoginSucceeds() throws Exception {
        final AtomicInteger asked = new AtomicInteger();
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("sam")
                .token(Tokens.expired("sam"))
                .tokenSupplier(uid -> {
                    asked.incrementAndGet();
                    return CompletableFuture.completedFuture(broker.token(uid));
                }).build()) {
            c.login().get(10, TimeUnit.SECONDS);
            assertThat(c.state()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(asked).hasValue(1);
        }
    }

    @Test
    void supplierOnly_providesTheFirstToken_andASupplierThatFails_failsTheLogin() throws Exception {
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("sue")
                .tokenSupplier(uid -> CompletableFuture.supplyAsync(() -> broker.token(uid))).build()) {
            c.login().get(10, TimeUnit.SECONDS);
            assertThat(c.serverInfo().get(10, TimeUnit.SECONDS).uid()).isEqualTo("sue");
        }
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + broker.port()).uid("sid")
                .tokenSupplier(uid -> CompletableFuture.failedFuture(new IOException("token service down"))).build()) {
            final LoginException e = loginFails(c);
            assertThat(e.error()).isEqualTo(LoginError.NO_TOKEN);
            assertThat(e.getMessage()).contains("token service down");
        }
    }

    @Test
    void unreachableServer_failsAfterTheLoginTimeout_asUnreachable() throws Exception {
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RtmClient c = RtmClient.builder().serverUri("tcp://127.0.0.1:" + port).uid("lost").token("t")
                .loginTimeout(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build()) {
            final long start = System.nanoTime();
            final LoginException e = loginFails(c);
            assertThat(e.error()).isEqualTo(LoginError.UNREACHABLE);
            assertThat(e.reasonCode()).isEqualTo(-1);
            assertThat(e.getMessage()).contains("within the login timeout of PT1S");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
        }
    }

    @Test
    void secondLoginWithTheSameUid_abortsTheFirst_withRemoteLogin() throws Exception {
        final Recorder first = new Recorder();
        try (RtmClient a = TestClients.loggedIn(broker, "twin", first);
             RtmClient b = TestClients.loggedIn(broker, "twin", new Recorder())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.state() == ConnectionState.ABORTED
                    && first.changes.get(first.changes.size() - 1).state() == ConnectionState.ABORTED);
            final ConnectionChange last = first.changes.get(first.changes.size() - 1);
            assertThat(last.state()).isEqualTo(ConnectionState.ABORTED);
            assertThat(last.reason()).isEqualTo(ConnectionChangeReason.REMOTE_LOGIN);
            assertThat(last.reasonCode()).isEqualTo(0x8E);
            assertThat(b.state()).isEqualTo(ConnectionState.CONNECTED);
            // the aborted client does not come back by itself, and refuses work
            final ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> a.peer().send("x", "y").get(5, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(NotLoggedInException.class);
            assertThat(((NotLoggedInException) e.getCause()).state()).isEqualTo(ConnectionState.ABORTED);
            assertThat(b.serverInfo().get(10, TimeUnit.SECONDS).uid()).isEqualTo("twin");
            assertThat(first.changes).extracting(ConnectionChange::state).doesNotContain(ConnectionState.RECONNECTING);
            assertThat(List.of(a.state())).containsExactly(ConnectionState.ABORTED);
        }
    }
}
