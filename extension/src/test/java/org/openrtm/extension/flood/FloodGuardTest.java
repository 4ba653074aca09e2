package org.openrtm.extension.flood;

import org.junit.jupiter.api.Test;
import org.openrtm.extension.session.Connection;
import org.openrtm.extension.session.Sessions;
import org.openrtm.protocol.Role;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FloodGuardTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> disconnected = new ArrayList<>();
    private final Connection mallory = new Sessions(1, 1).prepare("mallory", Role.USER, Connection.Via.MQTT, true, 0);

    private FloodGuard guard(final int refusals, final Duration window, final Duration ban) {
        return new FloodGuard(new FloodPolicy(refusals, window, ban), clock::get,
                (uid, reason) -> disconnected.add(uid + ": " + reason));
    }

    @Test
    void window_tripsOnceWhenTheCountFallsWithinTheWindow() {
        final RefusalWindow w = guard(3, Duration.ofSeconds(1), Duration.ZERO).window();
        assertThat(w.refused(clock.get())).isFalse();
        assertThat(w.refused(clock.addAndGet(400_000_000))).isFalse();
        assertThat(w.refused(clock.addAndGet(400_000_000))).isTrue();
        assertThat(w.tripped()).isTrue();
        assertThat(w.refused(clock.addAndGet(1))).as("trips only once").isFalse();
    }

    @Test
    void window_startsAgainWhenRefusalsAreSpreadOut() {
        final RefusalWindow w = guard(3, Duration.ofSeconds(1), Duration.ZERO).window();
        for (int i = 0; i < 20; i++) {
            // two refusals per 1.1 s: never three within one window
            assertThat(w.refused(clock.addAndGet(550_000_001))).isFalse();
        }
        assertThat(w.tripped()).isFalse();
    }

    @Test
    void window_neverTripsWhenThePolicyIsOff() {
        final RefusalWindow w = new FloodGuard(FloodPolicy.off(), clock::get, (u, r) -> { }).window();
        for (int i = 0; i < 10_000; i++) {
            assertThat(w.refused(clock.get())).isFalse();
        }
    }

    @Test
    void flooded_disconnectsWithTheRuleInTheReason_andBansForTheBanTime() {
        final FloodGuard g = guard(20, Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertThat(g.banRemaining("mallory")).isNull();
        g.flooded(mallory);
        assertThat(disconnected).containsExactly("mallory: 20 publishes refused as rate_limited within 5s "
                + "(limits.flood-refusals, limits.flood-window); connections refused for 30s (limits.flood-ban)");
        assertThat(g.disconnects()).isEqualTo(1);
        assertThat(g.banRemaining("mallory")).isEqualTo(Duration.ofSeconds(30));
        assertThat(g.banRemaining("alice")).isNull();
        clock.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(g.banRemaining("mallory")).isEqualTo(Duration.ofSeconds(1));
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(g.banRemaining("mallory")).isNull();
        assertThat(g.bannedCount()).isZero();
    }

    @Test
    void sweep_forgetsBansThatRanOut() {
        final FloodGuard g = guard(1, Duration.ofSeconds(1), Duration.ofSeconds(10));
        g.flooded(mallory);
        g.sweep();
        assertThat(g.bannedCount()).isEqualTo(1);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        g.sweep();
        assertThat(g.bannedCount()).isZero();
    }

    @Test
    void zeroBan_disconnectsButDoesNotBan() {
        final FloodGuard g = guard(1, Duration.ofSeconds(1), Duration.ZERO);
        g.flooded(mallory);
        assertThat(disconnected).singleElement().asString().doesNotContain("flood-ban");
        assertThat(g.banRemaining("mallory")).isNull();
    }

    @Test
    void policy_namesTheRuleAndTheValue() {
        assertThatThrownBy(() -> new FloodPolicy(-1, Duration.ofSeconds(1), Duration.ZERO))
                .hasMessage("refusals must be 0 or more, but was -1");
        assertThatThrownBy(() -> new FloodPolicy(1, Duration.ZERO, Duration.ZERO))
                .hasMessage("window must be positive, but was PT0S");
        assertThatThrownBy(() -> new FloodPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(-1)))
                .hasMessage("ban must be zero or positive, but was PT-1S");
    }
}
