package org.openrtm.extension.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryTrackerTest {

    @Test
    void listed_matchesWholeUidsOnly() {
        assertThat(DeliveryTracker.listed("ann,ben,cat", "ann")).isTrue();
        assertThat(DeliveryTracker.listed("ann,ben,cat", "ben")).isTrue();
        assertThat(DeliveryTracker.listed("ann,ben,cat", "cat")).isTrue();
        assertThat(DeliveryTracker.listed("ann", "ann")).isTrue();
        assertThat(DeliveryTracker.listed("ann,ben,cat", "an")).isFalse();
        assertThat(DeliveryTracker.listed("ann,ben,cat", "at")).isFalse();
        assertThat(DeliveryTracker.listed("anna,ben", "ann")).isFalse();
        assertThat(DeliveryTracker.listed("xann,ann2,ann", "ann")).isTrue();
        assertThat(DeliveryTracker.listed("ben,cat", "ben,cat")).isTrue();
        assertThat(DeliveryTracker.listed("", "ann")).isFalse();
    }
}
