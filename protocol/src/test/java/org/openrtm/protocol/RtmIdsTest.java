package org.openrtm.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RtmIdsTest {

    @Test
    void ids_sortAsStringsInCreationOrder_evenWhenTheClockStandsStillOrGoesBack() {
        final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        final RtmIds ids = RtmIds.generator(clock::get);
        final List<String> created = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            created.add(ids.next());
            if (i % 10 == 0) {
                clock.addAndGet(1);
            }
            if (i == 500) {
                clock.addAndGet(-100);
            }
        }
        final List<String> sorted = new ArrayList<>(created);
        sorted.sort(null);
        assertThat(sorted).isEqualTo(created);
        assertThat(created).doesNotHaveDuplicates().allMatch(RtmIds::isValid);
    }

    @Test
    void timestamp_roundTrips() {
        final RtmIds ids = RtmIds.generator(() -> 1_700_000_123_456L);
        final String id = ids.next();
        assertThat(id).hasSize(16);
        assertThat(RtmIds.timestampOf(id)).isEqualTo(1_700_000_123_456L);
        assertThat(RtmIds.lowest(1_700_000_123_456L).compareTo(id)).isLessThanOrEqualTo(0);
        assertThat(RtmIds.lowest(1_700_000_123_457L).compareTo(id)).isGreaterThan(0);
    }

    @Test
    void timestampOf_rejectsForeignStrings() {
        assertThatThrownBy(() -> RtmIds.timestampOf("abc")).hasMessageContaining("16 characters");
        assertThatThrownBy(() -> RtmIds.timestampOf("UUUUUUUUUUUUUUUU")).hasMessageContaining("base32");
    }
}
