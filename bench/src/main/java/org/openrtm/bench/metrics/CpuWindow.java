package org.openrtm.bench.metrics;

import org.jetbrains.annotations.NotNull;

/**
 * CPU used by the broker and by this generator between {@link #start} and {@link #stop}, as a percentage of one core
 * (200 % = both cores of a two-core machine busy). Not thread-safe; one window per measurement.
 */
public final class CpuWindow {

    private final long brokerPid;
    private final long wall0;
    private final long broker0;
    private final long self0;

    private CpuWindow(final long brokerPid) {
        this.brokerPid = brokerPid;
        this.wall0 = System.nanoTime();
        this.broker0 = ProcStats.cpuNanos(brokerPid);
        this.self0 = ProcStats.selfCpuNanos();
    }

    /** Opens a window now. */
    public static @NotNull CpuWindow start(final long brokerPid) {
        return new CpuWindow(brokerPid);
    }

    /** Closes the window now. */
    public @NotNull Usage stop() {
        final double wall = Math.max(1, System.nanoTime() - wall0);
        final long b = ProcStats.cpuNanos(brokerPid);
        final long s = ProcStats.selfCpuNanos();
        return new Usage(broker0 < 0 || b < 0 ? -1 : 100.0 * (b - broker0) / wall,
                self0 < 0 || s < 0 ? -1 : 100.0 * (s - self0) / wall);
    }

    /**
     * CPU use over a window.
     *
     * @param brokerPercent    the broker process, percent of one core, or -1 if unknown
     * @param generatorPercent this process, percent of one core, or -1 if unknown
     */
    public record Usage(double brokerPercent, double generatorPercent) {
    }
}
