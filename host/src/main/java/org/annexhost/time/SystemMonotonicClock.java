package org.annexhost.time;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's monotonic clock. On Linux it reads {@code /proc/uptime}, so that every annexhost
 * process on the machine (each ssh connection is one) shares one time base, as git-annex's
 * {@code CLOCK_MONOTONIC} does; elsewhere it falls back to {@link System#nanoTime()}. Thread-safe.
 */
final class SystemMonotonicClock implements MonotonicClock {
    static final SystemMonotonicClock INSTANCE = new SystemMonotonicClock();
    private static final Path UPTIME = Path.of("/proc/uptime");

    private final long originOffsetNanos;

    private SystemMonotonicClock() {
        long uptimeNanos = readUptimeNanos();
        this.originOffsetNanos = uptimeNanos < 0 ? 0 : uptimeNanos - System.nanoTime();
    }

    @Override
    public long seconds() {
        return Math.floorDiv(System.nanoTime() + originOffsetNanos, 1_000_000_000L);
    }

    private static long readUptimeNanos() {
        try {
            String first = Files.readString(UPTIME).trim().split("\\s+")[0];
            return (long) (Double.parseDouble(first) * 1_000_000_000L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
