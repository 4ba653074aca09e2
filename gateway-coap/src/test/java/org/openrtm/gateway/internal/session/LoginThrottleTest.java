package org.openrtm.gateway.internal.session;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The login throttle's buckets, on a clock the test moves. */
class LoginThrottleTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void anAddress_getsItsBurst_thenItsRate_andSaysWhenToComeBack() throws Exception {
        final LoginThrottle t = new LoginThrottle(2, 3, false, 1000, 1000);
        final InetAddress a = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            assertThat(t.acquire(a, 0)).isNull();
        }
        final LoginThrottle.Refused r = t.acquire(a, 0);
        assertThat(r).isNotNull();
        assertThat(r.perAddress()).isTrue();
        assertThat(r.refusal().retrySeconds()).isEqualTo(1);
        assertThat(r.reason()).contains("session.login-rate-per-address").contains("3 at once").contains("2 per second");
        assertThat(t.acquire(InetAddress.getByName("192.0.2.2"), 0)).as("another address").isNull();
        assertThat(t.acquire(a, SECOND / 2)).as("one token after half a second").isNull();
        assertThat(t.acquire(a, SECOND / 2)).isNotNull();
    }

    @Test
    void theGateway_hasOneBucketForAll_andLoopbackIsOnlyUnderIt_unlessAskedFor() throws Exception {
        final LoginThrottle t = new LoginThrottle(1, 1, false, 1, 4);
        final InetAddress local = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 4; i++) {
            assertThat(t.acquire(local, 0)).as("loopback has no bucket of its own").isNull();
        }
        final LoginThrottle.Refused r = t.acquire(InetAddress.getByName("192.0.2.3"), 0);
        assertThat(r).isNotNull();
        assertThat(r.perAddress()).isFalse();
        assertThat(r.reason()).contains("session.login-rate").contains("at this gateway");
        final LoginThrottle strict = new LoginThrottle(1, 1, true, 100, 100);
        assertThat(strict.acquire(local, 0)).isNull();
        assertThat(strict.acquire(local, 0)).isNotNull();
    }

    @Test
    void sweep_forgetsQuietAddresses() throws Exception {
        final LoginThrottle t = new LoginThrottle(1, 2, false, 100, 100);
        t.acquire(InetAddress.getByName("192.0.2.4"), 0);
        t.acquire(InetAddress.getByName("192.0.2.5"), 0);
        t.sweep(SECOND / 2);
        assertThat(t.tracked()).isEqualTo(2);
        t.sweep(2 * SECOND);
        assertThat(t.tracked()).isZero();
    }
}
