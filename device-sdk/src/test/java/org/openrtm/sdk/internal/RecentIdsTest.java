package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentIdsTest {

    @Test
    void aRepeatedId_isADuplicate_untilItIsForgotten() {
        final RecentIds ids = new RecentIds(3);
        assertThat(ids.add("a")).isTrue();
        assertThat(ids.add("a")).isFalse();
        assertThat(ids.add("b")).isTrue();
        assertThat(ids.add("c")).isTrue();
        assertThat(ids.add("d")).isTrue(); // forgets "a"
        assertThat(ids.size()).isEqualTo(3);
        assertThat(ids.add("b")).isFalse();
        assertThat(ids.add("a")).isTrue();
    }
}
