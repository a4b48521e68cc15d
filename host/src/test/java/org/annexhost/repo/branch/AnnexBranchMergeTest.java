package org.annexhost.repo.branch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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

/** Clients' pushed git-annex branches merged into the host's, as git-annex's union merge does. */
class AnnexBranchMergeTest {
    @TempDir
    Path tmp;

    /** A commit on top of a parent with one file set, as a client's git-annex would push it. */
    private static String clientCommit(Git git, String parent, String path, String content) throws Exception {
        Git indexed = git.withEnv(Map.of("GIT_INDEX_FILE", git.run("rev-parse", "--git-dir").strip() + "/client-index-" + path.hashCode()));
        indexed.run("read-tree", parent);
        String blob = git.run(content.getBytes(StandardCharsets.UTF_8), "hash-object", "-w", "--stdin").strip();
        indexed.run("update-index", "--add", "--cacheinfo", "100644," + blob + "," + path);
        String tree = indexed.run("write-tree").strip();
        return git.run("client".getBytes(StandardCharsets.UTF_8), "commit-tree", tree, "-p", parent).strip();
    }

    @Test
    void divergedBranchesAreUnionMergedWithoutLoss() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("g.git"), Optional.of("gateway"));
        AnnexBranch branch = repo.branch();
        Git git = repo.git();
        String base = git.run("rev-parse", AnnexBranch.REF).strip();
        String uuidLogBefore = branch.read("uuid.log").orElseThrow();

        // The client wrote its wanted expression and a uuid log line; meanwhile the host logged content.
        String pushed = clientCommit(git, base, "preferred-content.log", "node-uuid include=*.jpg timestamp=1700000000s\n");
        pushed = clientCommit(git, pushed, "uuid.log", uuidLogBefore + "client-uuid laptop timestamp=1700000001s\n");
        git.run("update-ref", AnnexBranch.PUSHED_REF, pushed);
        branch.change(Map.of("uuid.log", log -> log + "host-side-uuid node timestamp=1700000002s\n"));

        assertThat(branch.mergePushed()).isTrue();
        assertThat(branch.read("preferred-content.log")).contains("node-uuid include=*.jpg timestamp=1700000000s\n");
        assertThat(branch.read("uuid.log").orElseThrow()).contains("client-uuid laptop").contains("host-side-uuid node")
                .contains(uuidLogBefore.strip());
        String head = git.run("rev-parse", AnnexBranch.REF).strip();
        assertThat(git.succeeds("merge-base", "--is-ancestor", pushed, head)).as("the push is part of the branch").isTrue();
        assertThat(branch.mergePushed()).as("nothing new the second time").isFalse();
    }

    @Test
    void commitsReuseTheirIndexOnlyWhileNoOtherWriterMovedTheBranch() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("g.git"), Optional.of("gateway"));
        AnnexBranch branch = repo.branch();
        Git git = repo.git();
        branch.changeAndCommit(Map.of("aaa/bbb/one.log", log -> "1 one\n"), "one");
        Path marker = tmp.resolve("g.git/annex/annexhost/index.commit");
        assertThat(Files.readString(marker).strip()).as("the index holds the branch's tree")
                .isEqualTo(git.run("rev-parse", AnnexBranch.REF).strip());
        branch.changeAndCommit(Map.of("aaa/ccc/two.log", log -> "2 two\n"), "two");
        // Another writer (git-annex in the repository) moves the branch: our index no longer holds it.
        String theirs = clientCommit(git, git.run("rev-parse", AnnexBranch.REF).strip(), "ddd/eee/three.log", "3 three\n");
        git.run("update-ref", AnnexBranch.REF, theirs);
        branch.changeAndCommit(Map.of("fff/ggg/four.log", log -> "4 four\n"), "four");
        // A commit that died after changing the index, before moving the branch, left no marker.
        branch.change(Map.of("hhh/iii/five.log", log -> "5 five\n"));
        Files.delete(marker);
        Git indexed = git.withEnv(Map.of("GIT_INDEX_FILE", tmp.resolve("g.git/annex/annexhost/index").toString()));
        indexed.run(("0 " + "0".repeat(40) + "\taaa/bbb/one.log\n").getBytes(StandardCharsets.UTF_8), "update-index", "--index-info");
        branch.commit("five");
        String tree = git.run("ls-tree", "-r", "--name-only", AnnexBranch.REF);
        assertThat(tree).contains("aaa/bbb/one.log", "aaa/ccc/two.log", "ddd/eee/three.log", "fff/ggg/four.log",
                "hhh/iii/five.log", "uuid.log");
        assertThat(git.run("cat-file", "-p", AnnexBranch.REF + ":aaa/bbb/one.log")).isEqualTo("1 one\n");
    }

    @Test
    void concurrentPushesAndHostWritesAllLand() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("g.git"), Optional.of("gateway"));
        AnnexBranch branch = repo.branch();
        Git git = repo.git();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                // A client pushes a branch built on whatever it last saw, then the host merges it...
                work.add(pool.submit(() -> {
                    synchronized (AnnexBranchMergeTest.class) {
                        String seen = git.run("rev-parse", AnnexBranch.REF).strip();
                        String pushed = clientCommit(git, seen, "client" + n + ".log", "line from client " + n + "\n");
                        git.run("update-ref", AnnexBranch.PUSHED_REF, pushed);
                        branch.mergePushed();
                    }
                    return null;
                }));
                // ...while the host keeps logging content.
                work.add(pool.submit(() -> {
                    branch.change(Map.of("host.log", log -> log + "host line " + n + "\n"));
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 8; i++) {
            assertThat(branch.read("client" + i + ".log")).as("client " + i).contains("line from client " + i + "\n");
            assertThat(branch.read("host.log").orElseThrow()).contains("host line " + i + "\n");
        }
    }
}
