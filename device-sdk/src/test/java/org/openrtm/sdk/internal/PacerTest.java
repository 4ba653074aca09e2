package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PacerTest {

    private static final long MS = 1_000_000L;

    @Test
    void withoutTheServersLimit_nothingIsPaced() {
        final Pacer p = new Pacer();
        for (int i = 0; i < 1000; i++) {
            assertThat(p.take(0)).isZero();
        }
    }

    @Test
    void burstIsTheServersLessTheWindow_thenOnePublishPerTokenTime() {
        final Pacer p = new Pacer();
        p.limit(100, 100, 10, 0);
        for (int i = 0; i < 90; i++) {
            assertThat(p.take(0)).as("publish %d", i).isZero();
        }
        assertThat(p.take(0)).isEqualTo(10 * MS);
        assertThat(p.take(10 * MS)).isZero();
        assertThat(p.take(10 * MS)).isPositive();
    }

    @Test
    void aBurstNoLargerThanTheWindow_stillLetsOnePublishGo() {
        final Pacer p = new Pacer();
        p.limit(2, 4, 10, 0);
        assertThat(p.take(0)).isZero();
        assertThat(p.take(0)).isEqualTo(500 * MS);
    }

    @Test
    void aRefusal_holdsEveryPublishForTheHint() {
        final Pacer p = new Pacer();
        p.refused(1000 * MS, 0);
        assertThat(p.take(400 * MS)).isEqualTo(600 * MS);
        assertThat(p.take(1000 * MS)).isZero();
        assertThat(p.take(1000 * MS)).isZero(); // no limit known: the hold was all
    }

    @Test
    void aRefusalWithALimit_emptiesTheBucket() {
        final Pacer p = new Pacer();
        p.limit(10, 50, 10, 0);
        p.refused(0, 0);
        assertThat(p.take(0)).isEqualTo(100 * MS);
        assertThat(p.take(100 * MS)).isZero();
        assertThat(p.take(100 * MS)).isPositive();
    }
}
