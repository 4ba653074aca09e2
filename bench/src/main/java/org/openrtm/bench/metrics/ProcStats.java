package org.openrtm.bench.metrics;

import org.jetbrains.annotations.NotNull;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc}. Works for any process (a broker child,
 * Mosquitto, this JVM); on a system without {@code /proc} every figure is -1. Thread-safe (stateless).
 */
public final class ProcStats {

    private static final long TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /**
     * CPU time (user + system, all threads) a process has used so far.
     *
     * @param pid the process id
     * @return nanoseconds, or -1 if it cannot be read (no {@code /proc}, process gone)
     */
    public static long cpuNanos(final long pid) {
        final String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat == null) {
            return -1;
        }
        // the command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // after the name: state(3) ppid(4) ... utime is field 14, stime field 15 => indexes 11 and 12 here
        final long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return TimeUnit.SECONDS.toNanos(ticks) / TICKS_PER_SECOND;
    }

    /** CPU time this JVM has used so far, in nanoseconds (all threads). */
    public static long selfCpuNanos() {
        final var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return cpuNanos(ProcessHandle.current().pid());
    }

    /**
     * Resident set size of a process.
     *
     * @param pid the process id
     * @return bytes, or -1 if it cannot be read
     */
    public static long rssBytes(final long pid) {
        final String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return -1;
        }
        for (final String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                final String[] f = line.substring(6).trim().split(" +");
                return Long.parseLong(f[0]) * 1024;
            }
        }
        return -1;
    }

    /** The soft limit of open files of this process, or -1 if unknown. */
    public static long openFilesLimit() {
        final String limits = read(Path.of("/proc/self/limits"));
        if (limits == null) {
            return -1;
        }
        for (final String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                final String[] f = line.substring("Max open files".length()).trim().split(" +");
                return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
            }
        }
        return -1;
    }

    /** The first line of {@code /proc/cpuinfo} naming the CPU model, or "unknown". */
    public static @NotNull String cpuModel() {
        final String info = read(Path.of("/proc/cpuinfo"));
        if (info != null) {
            for (final String line : info.split("\n")) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        return "unknown";
    }

    /** Total memory of the machine in bytes ({@code MemTotal}), or -1. */
    public static long memTotalBytes() {
        final String info = read(Path.of("/proc/meminfo"));
        if (info != null) {
            for (final String line : info.split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.substring(9).trim().split(" +")[0]) * 1024;
                }
            }
        }
        return -1;
    }

    private static String read(final Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (final IOException | RuntimeException e) {
            return null;
        }
    }

    private static long clockTicks() {
        try {
            final Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (final IOException | NumberFormatException e) {
            // fall through to the Linux default
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
