package org.annexhost.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotas count exactly: concurrent uploads, stores, removals, restarts and dead processes. */
class QuotasTest {
    @TempDir
    Path git;

    static Key key(int i, long size) {
        return Key.parse("SHA256E-s" + size + "--" + String.format("%064x", i));
    }

    @Test
    void concurrentUploadsThatTogetherPassTheLimitAreAdmittedOnlyAsFarAsTheyFit() throws Exception {
        Quotas q = Quotas.of(git);
        q.limit(Optional.of("alice"), Optional.empty(), OptionalLong.of(10_000));
        int n = 12;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<Boolean>> admitted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            admitted.add(pool.submit(() -> {
                start.await();
                Quotas.Admission a = Quotas.of(git).admit(Optional.of("alice"), Optional.empty(), key(k, 3000), 3000);
                if (a.refusal().isPresent()) {
                    assertThat(a.refusal().get()).startsWith("quota exceeded: alice's limit on this repository is 10.0 kB");
                    return false;
                }
                Thread.sleep(50); // in flight together
                a.stored();
                a.close();
                return true;
            }));
        }
        int ok = 0;
        for (Future<Boolean> f : admitted) {
            ok += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(3);
        assertThat(used(q, Optional.of("alice"))).isEqualTo(9000);
        // Another user has no limit of their own; everyone's total counts both.
        Quotas.Admission bob = q.admit(Optional.of("bob"), Optional.empty(), key(99, 50_000), 50_000);
        assertThat(bob.refusal()).isEmpty();
        bob.stored();
        assertThat(used(q, Optional.empty())).isEqualTo(59_000);
    }

    @Test
    void aRemovalFreesWhatTheStoreCountedAndAStoreOfTheSameKeyCountsOnce() throws Exception {
        Quotas q = Quotas.of(git);
        q.limit(Optional.empty(), Optional.of("nas"), OptionalLong.of(5000));
        Quotas.Admission a = q.admit(Optional.empty(), Optional.of("nas"), key(1, 4000), 4000);
        a.stored();
        Quotas.Admission again = q.admit(Optional.of("alice"), Optional.of("nas"), key(1, 4000), 4000);
        assertThat(again.refusal()).as("already counted here").isEmpty();
        again.stored();
        assertThat(q.admit(Optional.empty(), Optional.of("nas"), key(2, 2000), 2000).refusal()).isPresent();
        // The repository itself is another place, with no limit.
        assertThat(q.admit(Optional.empty(), Optional.empty(), key(2, 2000), 2000).refusal()).isEmpty();
        q.removed(Optional.of("nas"), key(1, 4000));
        Quotas.Admission fits = q.admit(Optional.empty(), Optional.of("nas"), key(2, 2000), 2000);
        assertThat(fits.refusal()).isEmpty();
        fits.stored();
        assertThat(q.usage()).filteredOn(u -> u.remote().equals(Optional.of("nas")) && u.user().isEmpty())
                .singleElement().satisfies(u -> {
                    assertThat(u.used()).isEqualTo(2000);
                    assertThat(u.limit()).hasValue(5000);
                });
    }

    @Test
    void usageSurvivesARestartAndAFailedUploadOrADeadProcessReservesNothing() throws Exception {
        Quotas q = Quotas.of(git);
        q.limit(Optional.empty(), Optional.empty(), OptionalLong.of(10_000));
        q.admit(Optional.empty(), Optional.empty(), key(1, 6000), 6000).stored();
        try (Quotas.Admission failed = q.admit(Optional.empty(), Optional.empty(), key(2, 3000), 3000)) {
            assertThat(failed.refusal()).isEmpty();
        }
        // A process that died mid-upload left its reservation behind.
        Process dead = new org.annexhost.testing.Sh(java.util.Map.of()).start(git, "true");
        dead.waitFor();
        Path reserved = Files.createDirectories(git.resolve("annex/annexhost-quota/reserved"));
        Files.writeString(reserved.resolve(dead.pid() + "-1"), ".\tanonymous\t4000\n");
        // The totals are lost or wrong after a crash; a restart counts them again.
        Files.writeString(git.resolve("annex/annexhost-quota/totals"), "anonymous\t_repository\t1\n");
        Quotas restarted = Quotas.of(git);
        restarted.recount();
        assertThat(used(restarted, Optional.empty())).isEqualTo(6000);
        assertThat(restarted.admit(Optional.empty(), Optional.empty(), key(3, 4000), 4000).refusal()).isEmpty();
        assertThat(Files.exists(reserved.resolve(dead.pid() + "-1"))).isFalse();
        assertThat(restarted.admit(Optional.empty(), Optional.empty(), key(4, 4001), 4001).refusal())
                .as("the live reservation of 4000 still counts").isPresent();
    }

    @Test
    void withNoLimitNothingIsRecorded() throws Exception {
        Quotas q = Quotas.of(git);
        q.admit(Optional.of("alice"), Optional.empty(), key(1, 100), 100).stored();
        assertThat(Files.exists(git.resolve("annex/annexhost-quota"))).isFalse();
        assertThat(q.usage()).isEmpty();
    }

    @Test
    void sizesAreReadAndWrittenAsGitAnnexDoes() {
        assertThat(Sizes.parse("10GB")).isEqualTo(10_000_000_000L);
        assertThat(Sizes.parse("512MiB")).isEqualTo(512L * 1024 * 1024);
        assertThat(Sizes.parse("1.5 terabytes")).isEqualTo(1_500_000_000_000L);
        assertThat(Sizes.parse("1000")).isEqualTo(1000);
        assertThat(Sizes.format(1_234_567_890)).isEqualTo("1.23 GB");
        assertThat(Sizes.format(999)).isEqualTo("999 bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sizes.parse("lots")).hasMessageContaining("not a size");
    }

    static long used(Quotas q, Optional<String> user) throws Exception {
        return q.usage().stream().filter(u -> u.user().equals(user) && u.remote().isEmpty()).findFirst().orElseThrow().used();
    }
}
