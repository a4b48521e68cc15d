package org.annexhost.repo.branch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.annexhost.repo.Git;
import org.annexhost.repo.HostRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The branch's journal, in git-annex's place and format, against a real repository. */
class JournalTest {
    private static final String LOG = "f87/4d5/SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt.log";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"uuid.log", "a/b/c.log", "a_b/c__d.log", "_x_/y", "f87/4d5/SHA3_256E-s1--ab_c.log"})
    void fileNamesAreGitAnnexs(String branchPath) {
        String name = Journal.journalName(branchPath);
        assertThat(name).doesNotContain("/");
        assertThat(Journal.branchPath(name)).isEqualTo(branchPath);
        assertThat(Journal.journalName("abc/def/K_1.log")).isEqualTo("abc_def_K__1.log");
    }

    @Test
    void aChangeIsJournalledReadAtOnceAndCommittedOnce() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        AnnexBranch branch = repo.branch();
        Git git = repo.git();
        String head = git.run("rev-parse", AnnexBranch.REF).strip();

        branch.change(Map.of(LOG, log -> log + "1700000000s 1 uuid-a\n"));
        branch.change(Map.of(LOG, log -> log + "1700000001s 1 uuid-b\n", "other.log", log -> "x\n"));

        Path journalled = repo.annexDir().resolve("journal").resolve(Journal.journalName(LOG));
        assertThat(journalled).as("where git-annex looks").hasContent("1700000000s 1 uuid-a\n1700000001s 1 uuid-b\n");
        assertThat(git.run("rev-parse", AnnexBranch.REF).strip()).as("no commit per change").isEqualTo(head);
        assertThat(branch.read(LOG)).contains("1700000000s 1 uuid-a\n1700000001s 1 uuid-b\n");
        assertThat(branch.journalDirty()).isTrue();

        assertThat(branch.commit("update")).isTrue();
        assertThat(git.run("rev-list", "--count", head + ".." + AnnexBranch.REF).strip()).isEqualTo("1");
        assertThat(git.run("show", AnnexBranch.REF + ":" + LOG)).isEqualTo("1700000000s 1 uuid-a\n1700000001s 1 uuid-b\n");
        assertThat(git.run("show", AnnexBranch.REF + ":other.log")).isEqualTo("x\n");
        assertThat(git.run("show", AnnexBranch.REF + ":uuid.log")).as("the rest of the branch kept").contains(repo.uuid().value());
        assertThat(branch.journalDirty()).isFalse();
        assertThat(branch.commit("update")).as("nothing journalled, nothing to commit").isFalse();
    }

    @Test
    void anIncompleteLastLineLeftByAnInterruptedAppendIsIgnored() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        Path dir = Files.createDirectories(repo.annexDir().resolve("journal"));
        Files.writeString(dir.resolve(Journal.journalName(LOG)), "1700000000s 1 uuid-a\n1700000001s 1 uu");
        assertThat(repo.branch().read(LOG)).contains("1700000000s 1 uuid-a\n");
    }

    @Test
    void aStaleIndexLockLeftByACrashNeitherBlocksChangesNorCommits() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        // What a host killed inside "git read-tree" or "git update-index" leaves behind.
        Path lock = Files.createDirectories(repo.hostDir()).resolve("index.lock");
        Files.writeString(lock, "");
        AnnexBranch branch = repo.branch();
        branch.change(Map.of(LOG, log -> log + "1700000000s 1 uuid-a\n"));
        assertThat(branch.commit("update")).isTrue();
        assertThat(repo.git().run("show", AnnexBranch.REF + ":" + LOG)).isEqualTo("1700000000s 1 uuid-a\n");
        // A commit uses no index; the union merge, which does, removes the stale lock first.
        Git git = repo.git();
        String base = git.run("rev-parse", AnnexBranch.REF + "^").strip();
        Git client = git.withEnv(Map.of("GIT_INDEX_FILE", repo.hostDir().resolve("client-index").toString()));
        client.run("read-tree", base);
        String blob = git.run("pushed\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "hash-object", "-w", "--stdin").strip();
        client.run("update-index", "--add", "--cacheinfo", "100644," + blob + ",pushed.log");
        String tree = client.run("write-tree").strip();
        git.run("update-ref", AnnexBranch.PUSHED_REF,
                git.run("pushed".getBytes(java.nio.charset.StandardCharsets.UTF_8), "commit-tree", tree, "-p", base).strip());
        assertThat(branch.mergePushed()).isTrue();
        assertThat(branch.read("pushed.log")).contains("pushed\n");
        assertThat(lock).doesNotExist();
    }

    @Test
    void concurrentWritersAndCommittersLoseNothing() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        AnnexBranch branch = repo.branch();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> work = new ArrayList<>();
        try {
            for (int t = 0; t < 16; t++) {
                int n = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        String line = "1700000000s 1 writer-" + n + "-" + i + "\n";
                        branch.change(Map.of(LOG, log -> log + line, "w" + n + "/own.log", log -> log + line));
                        if (i % 10 == 9) {
                            repo.branch().commit("update");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        branch.commit("update");
        String shared = repo.git().run("show", AnnexBranch.REF + ":" + LOG);
        for (int t = 0; t < 16; t++) {
            String own = repo.git().run("show", AnnexBranch.REF + ":w" + t + "/own.log");
            for (int i = 0; i < 25; i++) {
                assertThat(shared).contains("writer-" + t + "-" + i + "\n");
                assertThat(own).contains("writer-" + t + "-" + i + "\n");
            }
        }
        assertThat(branch.journalDirty()).isFalse();
    }

    @Test
    void aJournalFileChangedWhileItsCommitRanStaysJournalled() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        Journal journal = new Journal(repo.annexDir(), repo.hostDir().resolve("tmp"));
        Path staging = repo.hostDir().resolve("staged-test");
        journal.locked(l -> {
            journal.write(l, "same.log", "a\n");
            journal.write(l, "replaced.log", "a\n");
            journal.write(l, "appended.log", "a\n");
            return null;
        });
        List<Journal.Staged> staged = journal.locked(l -> journal.stage(l, staging));
        assertThat(staged).extracting(Journal.Staged::branchPath)
                .containsExactlyInAnyOrder("same.log", "replaced.log", "appended.log");
        // While git runs: one of ours replaces a file, git-annex appends to another in place.
        journal.locked(l -> {
            journal.write(l, "replaced.log", "a\nb\n");
            return null;
        });
        Files.writeString(journal.directory().resolve("appended.log"), "c\n", java.nio.file.StandardOpenOption.APPEND);
        for (Journal.Staged s : staged) {
            if (s.branchPath().equals("appended.log")) {
                assertThat(Journal.unchanged(s)).as("an append in place is seen").isFalse();
            } else {
                assertThat(s.staged()).as("what was staged stays as it was").hasContent("a\n");
                assertThat(Journal.unchanged(s)).isTrue();
            }
        }
        journal.locked(l -> {
            journal.removeCommitted(l, staged);
            return null;
        });
        assertThat(journal.read("same.log")).as("committed, so gone from the journal").isEmpty();
        assertThat(journal.read("replaced.log")).contains("a\nb\n");
        assertThat(journal.read("appended.log")).contains("a\nc\n");
        assertThat(staging).isEmptyDirectory();
    }

    @Test
    void aChangeDoesNotWaitForACommit() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        AnnexBranch branch = repo.branch();
        branch.change(Map.of(LOG, log -> log + "1700000000s 1 uuid-a\n"));
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // Another committer holds the branch's index, as a commit does all the while git runs.
        Thread committer = new Thread(() -> {
            try {
                new FileMutex(repo.hostDir().resolve("index.lck"), "test").locked(() -> {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        committer.start();
        held.await();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> change = pool.submit(() -> {
                branch.change(Map.of(LOG, log -> log + "1700000001s 1 uuid-b\n"));
                return null;
            });
            change.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(branch.read(LOG)).contains("1700000000s 1 uuid-a\n1700000001s 1 uuid-b\n");
            Future<Boolean> commit = pool.submit(() -> branch.commit("update"));
            Thread.sleep(200);
            assertThat(commit).as("a second commit waits for the first").isNotDone();
            release.countDown();
            assertThat(commit.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            release.countDown();
            pool.shutdownNow();
            committer.join();
        }
        assertThat(repo.git().run("show", AnnexBranch.REF + ":" + LOG)).isEqualTo("1700000000s 1 uuid-a\n1700000001s 1 uuid-b\n");
    }

    @Test
    void aCommittedEntrysFileIsWrittenAgainForTheNextChangeHoldingExactlyItsContent() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        AnnexBranch branch = repo.branch();
        String longLine = "1700000000s 1 " + "u".repeat(200) + "\n";
        branch.change(Map.of(LOG, log -> log + longLine));
        Path journal = repo.annexDir().resolve("journal");
        Object first = Files.getAttribute(journal.resolve(Journal.journalName(LOG)), "unix:ino");
        assertThat(branch.commit("update")).isTrue();
        assertThat(journal.resolve(Journal.journalName(LOG))).doesNotExist();

        String other = "aaa/bbb/other.log";
        branch.change(Map.of(other, log -> "short\n"));
        Path written = journal.resolve(Journal.journalName(other));
        assertThat(Files.getAttribute(written, "unix:ino")).as("the committed entry's file, not a new one").isEqualTo(first);
        assertThat(Files.readString(written)).as("nothing of what it held before").isEqualTo("short\n");
        assertThat(branch.commit("update")).isTrue();
        assertThat(repo.git().run("show", AnnexBranch.REF + ":" + other)).isEqualTo("short\n");
        assertThat(repo.git().run("show", AnnexBranch.REF + ":" + LOG)).isEqualTo(longLine);
    }
}
