package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void delays_doubleUpToTheMaximum_withoutJitter() {
        final Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0);
        assertThat(b.delayMillis(1, 0.7)).isEqualTo(100);
        assertThat(b.delayMillis(2, 0.7)).isEqualTo(200);
        assertThat(b.delayMillis(4, 0.7)).isEqualTo(800);
        assertThat(b.delayMillis(5, 0.7)).isEqualTo(1000);
        assertThat(b.delayMillis(1000, 0.7)).isEqualTo(1000);
    }

    @Test
    void jitter_takesARandomShareOff() {
        final Backoff half = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5);
        assertThat(half.delayMillis(3, 0)).isEqualTo(400);
        assertThat(half.delayMillis(3, 0.5)).isEqualTo(300);
        assertThat(half.delayMillis(3, 0.999)).isEqualTo(200);
        final Backoff full = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 1);
        assertThat(full.delayMillis(5, 0.999)).isBetween(0L, 2L);
    }
}
