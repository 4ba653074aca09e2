package org.openrtm.bench.metrics;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jetbrains.annotations.NotNull;

import java.util.concurrent.TimeUnit;

/**
 * Records latencies into an HdrHistogram (microsecond resolution, three significant digits, up to one hour).
 * Thread-safe: any number of threads may record while another takes a snapshot.
 */
public final class LatencyRecorder {

    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Histogram histogram = new ConcurrentHistogram(HIGHEST_MICROS, 3);

    /** Records one latency; negative values count as 0, values above an hour as an hour. */
    public void recordNanos(final long nanos) {
        final long micros = Math.max(0, Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
        histogram.recordValue(micros);
    }

    /** The percentiles of everything recorded so far. */
    public @NotNull Latency snapshot() {
        final Histogram h = histogram.copy();
        if (h.getTotalCount() == 0) {
            return Latency.EMPTY;
        }
        return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getMean() / 1000.0);
    }

    private static double ms(final long micros) {
        return micros / 1000.0;
    }
}
