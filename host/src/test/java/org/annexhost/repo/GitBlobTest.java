package org.annexhost.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.annexhost.repo.branch.AnnexBranch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Branch files read through the long-lived cat-file, against real repositories. */
class GitBlobTest {
    @TempDir
    Path tmp;

    @Test
    void readsWhatTheBranchHoldsNowAndSaysWhenThereIsNothing() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("r"));
        AnnexBranch branch = repo.branch();
        assertThat(branch.read("no/such.log")).isEmpty();
        branch.changeAndCommit(Map.of("a.log", log -> "one\n"), "test");
        assertThat(branch.read("a.log")).contains("one\n");
        branch.changeAndCommit(Map.of("a.log", log -> log + "two ü\n"), "test");
        assertThat(branch.read("a.log")).as("the ref moved; the same process sees it").contains("one\ntwo ü\n");
        assertThat(repo.git().blob("refs/heads/no-such-branch:a.log")).isEmpty();
        branch.changeAndCommit(Map.of("dir/b.log", log -> "x"), "test");
        assertThatThrownBy(() -> repo.git().blob(AnnexBranch.REF + ":dir")).isInstanceOf(IOException.class)
                .hasMessageContaining("tree");
        assertThat(branch.read("dir/b.log")).as("a refused request leaves the process usable").contains("x");
    }

    @Test
    void manyRepositoriesEachReadTheirOwn() throws Exception {
        // More repositories than processes are kept: the evicted ones are started again when needed.
        HostRepository[] repos = new HostRepository[12];
        for (int i = 0; i < repos.length; i++) {
            repos[i] = HostRepository.init(tmp.resolve("r" + i + ".git"), Optional.of("r" + i));
            String content = "repo " + i + "\n";
            repos[i].branch().changeAndCommit(Map.of("id.log", log -> content), "test");
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < repos.length; i++) {
                assertThat(repos[i].branch().read("id.log")).contains("repo " + i + "\n");
            }
        }
    }

    @Test
    void endingTheReadersLeavesNoCatFileRunningAndTheNextReadStartsOne() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("e.git"), Optional.of("e"));
        repo.branch().changeAndCommit(Map.of("a.log", log -> "one\n"), "test");
        assertThat(repo.branch().read("a.log")).contains("one\n");
        assertThat(catFiles()).as("a read keeps a cat-file running").isNotEmpty();

        Git.endReaders();
        assertThat(catFiles()).as("cat-file processes still running after endReaders").isEmpty();
        assertThat(repo.branch().read("a.log")).as("a read after the end starts a new one").contains("one\n");
        Git.endReaders();
    }

    /** This JVM's child processes that are git cat-file, still running. */
    private static java.util.List<ProcessHandle> catFiles() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> java.util.Arrays.asList(a).contains("cat-file")).orElse(false))
                .toList();
    }
}
