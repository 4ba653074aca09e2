package org.openrtm.bench.load;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerTest {

    @Test
    void payloadHeader_roundTrips_andShortPayloadsAreNotOurs() {
        final byte[] p = Payloads.encode(100, 123_456_789L, 7, 3, 42);

        assertThat(p).hasSize(100);
        assertThat(Payloads.decode(ByteBuffer.wrap(p))).isEqualTo(new Payloads.Header(123_456_789L, 7, 3, 42));
        assertThat(Payloads.decode(ByteBuffer.allocate(10))).isNull();
        assertThatThrownBy(() -> Payloads.encode(10, 0, 0, 0, 0))
                .hasMessage("payload size must be at least 24 bytes, but was 10");
    }

    @Test
    void deliveries_areCountedOnce_withDuplicatesAndReorderingSeparate() {
        final Ledger l = new Ledger(1, 2, 0);
        final long now = System.nanoTime();
        l.delivered(new Payloads.Header(now - TimeUnit.MILLISECONDS.toNanos(2), 1, 0, 0), now);
        l.delivered(new Payloads.Header(now, 1, 0, 2), now);
        l.delivered(new Payloads.Header(now, 1, 0, 1), now);
        l.delivered(new Payloads.Header(now, 1, 0, 1), now);
        l.delivered(new Payloads.Header(now, 1, 5, 0), now);

        assertThat(l.deliveredCount()).isEqualTo(3);
        assertThat(l.duplicateCount()).isEqualTo(2);
        assertThat(l.outOfOrderCount()).isEqualTo(1);
        assertThat(l.latency().maxMs()).isBetween(1.9, 2.1);
    }
}
