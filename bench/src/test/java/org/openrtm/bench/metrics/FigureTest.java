package org.openrtm.bench.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FigureTest {

    private static Figure figure(final double rate, final double p99, final boolean ok) {
        final Figure.Builder b = Figure.builder("rate-1000").window((long) rate, 1).counts(10, 10, 10, 0, 0)
                .latency(new Latency(10, 1, 2, p99, p99, p99, 1)).statuses(java.util.Map.of("delivered", 10L))
                .extra("receipts", rate);
        return ok ? b.build() : b.fail("lost one").build();
    }

    @Test
    void median_takesEachNumberSeparately_sumsStatuses_andFailsIfAnyRepetitionFailed() {
        final Figure m = Figure.median(List.of(figure(900, 5, true), figure(1100, 1, true), figure(1000, 9, false)));

        assertThat(m.rate()).isEqualTo(1000);
        assertThat(m.latency().p99Ms()).isEqualTo(5);
        assertThat(m.statuses()).containsEntry("delivered", 30L);
        assertThat(m.extra()).containsEntry("receipts", 1000.0);
        assertThat(m.ok()).isFalse();
        assertThat(m.note()).isEqualTo("lost one");
    }

    @Test
    void median_ofAnEvenCount_isTheMeanOfTheMiddleTwo() {
        assertThat(Figure.median(List.of(figure(1, 1, true), figure(3, 3, true))).rate()).isEqualTo(2);
    }
}
