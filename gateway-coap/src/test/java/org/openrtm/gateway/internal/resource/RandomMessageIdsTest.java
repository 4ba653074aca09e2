package org.openrtm.gateway.internal.resource;

import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Random message ids: never one in use towards the same peer, not a sequence, bounded memory. */
class RandomMessageIdsTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 5683);

    @Test
    void idsTowardsOnePeer_neverRepeatWithinTheLifetime_andDoNotCountUp() {
        final RandomMessageIds ids = new RandomMessageIds(60_000, 0);
        final Set<Integer> seen = new HashSet<>();
        int previous = ids.getNextMessageId(PEER);
        seen.add(previous);
        int steps = 0;
        for (int i = 1; i < 30_000; i++) {
            final int mid = ids.getNextMessageId(PEER);
            assertThat(mid).isBetween(0, 65_535);
            assertThat(seen.add(mid)).as("id %d reused within the lifetime", mid).isTrue();
            assertThat(ids.wasIssued(PEER, mid)).isTrue();
            if (mid == ((previous + 1) & 0xFFFF)) {
                steps++;
            }
            previous = mid;
        }
        assertThat(steps).as("consecutive ids that count up by one").isLessThan(30);
        assertThat(ids.wasIssued(new InetSocketAddress("192.0.2.9", 5683), previous)).as("another peer").isFalse();
        assertThat(java.util.stream.IntStream.range(0, 65_536).filter(m -> !seen.contains(m))
                .noneMatch(m -> ids.wasIssued(PEER, m))).as("only ids given out").isTrue();
    }

    /**
     * Californium drops empty ACKs whose id is in its multicast range (65,000 and up by default): an id drawn there made
     * the device's acknowledgement vanish and its observation time out (CoapSmokeIT lost 1 to 9 of 100 notifications).
     */
    @Test
    void idsStayBelowTheEndpointsMulticastRange_asTheGatewayConfiguresIt() {
        final int base = new Configuration(CoapConfig.DEFINITIONS).get(CoapConfig.MULTICAST_BASE_MID);
        assertThat(base).as("Californium's default").isEqualTo(65_000);
        final RandomMessageIds ids = new RandomMessageIds(60_000, base);
        int highest = 0;
        for (int i = 0; i < 30_000; i++) {
            highest = Math.max(highest, ids.getNextMessageId(new InetSocketAddress("192.0.2.3", 1_000 + i % 10)));
        }
        assertThat(highest).isLessThan(base).isGreaterThan(base - 100);
        final RandomMessageIds small = new RandomMessageIds(60_000, 1_000);
        for (int i = 0; i < 500; i++) {
            assertThat(small.getNextMessageId(PEER)).isLessThan(1_000);
        }
        assertThatThrownBy(() -> small.getNextMessageId(PEER)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free message id");
    }

    @Test
    void aPeerWithHalfTheIdsInUse_getsNoMore_andExpiredPeersAreForgotten() {
        final RandomMessageIds ids = new RandomMessageIds(60_000, 0);
        for (int i = 0; i < 32_768; i++) {
            ids.getNextMessageId(PEER);
        }
        assertThatThrownBy(() -> ids.getNextMessageId(PEER)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free message id");
        final long[] now = {0};
        final RandomMessageIds shortLived = new RandomMessageIds(1_000, 0, () -> now[0]);
        for (int i = 0; i < 2_000; i++) {
            shortLived.getNextMessageId(new InetSocketAddress("192.0.2.2", 1_000 + i));
        }
        assertThat(shortLived.peers()).isGreaterThanOrEqualTo(2_000);
        now[0] = 2_000_000_000L;
        for (int i = 0; i < 2_048; i++) {
            shortLived.getNextMessageId(PEER);
        }
        assertThat(shortLived.peers()).as("peers whose ids expired are swept").isLessThan(100);
    }
}
