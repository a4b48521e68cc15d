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
    void commitsBuildOnWhereverAnotherWriterMovedTheBranchAndLeaveNoScratchRef() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("g.git"), Optional.of("gateway"));
        AnnexBranch branch = repo.branch();
        Git git = repo.git();
        branch.changeAndCommit(Map.of("aaa/bbb/one.log", log -> "1 one\n"), "one");
        // Another writer (git-annex in the repository) moves the branch between our commits.
        String theirs = clientCommit(git, git.run("rev-parse", AnnexBranch.REF).strip(), "ddd/eee/three.log", "3 three\n");
        git.run("update-ref", AnnexBranch.REF, theirs);
        // Names fast-import would misread unquoted: a quote, a backslash, a space.
        String odd = "fff/ggg/SHA256E-s1--\"odd\\ name .log";
        branch.changeAndCommit(Map.of("fff/ggg/four.log", log -> "4 four\n", odd, log -> "odd\n"), "four");
        String head = git.run("rev-parse", AnnexBranch.REF).strip();
        assertThat(git.run("rev-parse", head + "^").strip()).as("built on the other writer's commit").isEqualTo(theirs);
        String tree = git.run("ls-tree", "-r", "--name-only", "-z", AnnexBranch.REF);
        assertThat(tree.split("\0")).contains("aaa/bbb/one.log", "ddd/eee/three.log", "fff/ggg/four.log", odd, "uuid.log");
        assertThat(git.run("cat-file", "-p", AnnexBranch.REF + ":" + odd)).isEqualTo("odd\n");
        assertThat(git.outputIfSucceeds("rev-parse", "--verify", "--quiet", AnnexBranch.SCRATCH_REF))
                .as("the scratch ref is gone once the branch holds the commit").isEmpty();
    }

    @Test
    void aLargeCommitIsOnePackNotALooseObjectPerFile() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("g.git"), Optional.of("gateway"));
        AnnexBranch branch = repo.branch();
        Git git = repo.git();
        long looseBefore = looseObjects(tmp.resolve("g.git/objects"));
        Map<String, java.util.function.UnaryOperator<String>> changes = new java.util.HashMap<>();
        for (int i = 0; i < 300; i++) {
            String line = i + " uuid-x\n";
            changes.put(String.format("%03x/%03x/key-%d.log", i, i * 7 % 4096, i), log -> log + line);
        }
        branch.changeAndCommit(changes, "many");
        assertThat(git.run("ls-tree", "-r", "--name-only", AnnexBranch.REF).lines().filter(l -> l.contains("/key-")).count())
                .isEqualTo(300);
        assertThat(looseObjects(tmp.resolve("g.git/objects")) - looseBefore)
                .as("300 blobs and their 600 trees went into a pack").isZero();
        try (var packs = Files.list(tmp.resolve("g.git/objects/pack"))) {
            assertThat(packs.filter(p -> p.toString().endsWith(".pack")).count()).isPositive();
        }
    }

    private static long looseObjects(Path objects) throws Exception {
        try (var all = Files.walk(objects)) {
            return all.filter(p -> p.getParent().getFileName().toString().matches("[0-9a-f]{2}")).count();
        }
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
