package org.annexhost.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key exclusions: exclusive, and nothing kept in memory for keys no longer in use. */
class LockTableTest {
    @TempDir
    Path tmp;

    @Test
    void aThousandKeysLeaveNoThreadLockBehind() throws Exception {
        LockTable t = new LockTable(tmp, Clock.systemUTC(), Duration.ofMinutes(10));
        for (int i = 0; i < 1000; i++) {
            try (LockTable.Exclusion e = t.acquire(Key.parse("WORM-s1-m1--k" + i))) {
                assertThat(t.keysInUse()).isEqualTo(1);
            }
        }
        assertThat(t.keysInUse()).isZero();
    }

    @Test
    void oneKeyIsHeldByOneThreadAtATime() throws Exception {
        LockTable t = new LockTable(tmp, Clock.systemUTC(), Duration.ofMinutes(10));
        Key k = Key.parse("WORM-s1-m1--shared");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            java.util.List<Future<?>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(pool.submit(() -> {
                    try (LockTable.Exclusion e = t.acquire(k)) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.yield();
                        inside.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(most.get()).isEqualTo(1);
        assertThat(t.keysInUse()).isZero();
    }

    @Test
    void aThousandKeysMakeNoFileEachAndTwoTablesOnOneDirectoryExcludeEachOther() throws Exception {
        LockTable a = new LockTable(tmp, Clock.systemUTC(), Duration.ofMinutes(10));
        LockTable b = new LockTable(tmp, Clock.systemUTC(), Duration.ofMinutes(10));
        for (int i = 0; i < 1000; i++) {
            try (LockTable.Exclusion e = a.acquire(Key.parse("WORM-s1-m1--k" + i))) {
                assertThat(e).isNotNull();
            }
        }
        try (var files = java.nio.file.Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("keys.lck");
        }
        // As another process would: the second table waits while the first holds the key.
        Key k = Key.parse("WORM-s1-m1--shared");
        java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (LockTable.Exclusion held = a.acquire(k)) {
            Future<Long> other = pool.submit(() -> {
                long t0 = System.nanoTime();
                try (LockTable.Exclusion e = b.acquire(k)) {
                    taken.countDown();
                    return System.nanoTime() - t0;
                }
            });
            assertThat(taken.await(300, java.util.concurrent.TimeUnit.MILLISECONDS)).as("held elsewhere: waits").isFalse();
            held.close();
            assertThat(other.get(10, java.util.concurrent.TimeUnit.SECONDS)).isGreaterThan(250_000_000L);
        } finally {
            pool.shutdownNow();
        }
        // Distinct keys never wait for each other.
        try (LockTable.Exclusion x = a.acquire(Key.parse("WORM-s1-m1--x")); LockTable.Exclusion y = b.acquire(Key.parse("WORM-s1-m1--y"))) {
            assertThat(LockTable.slot(Key.parse("WORM-s1-m1--x"))).isNotEqualTo(LockTable.slot(Key.parse("WORM-s1-m1--y")));
        }
    }
}
